package dev.semisup.worker.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.report.TrainingHistory;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.worker.store.ObjectStore;
import dev.semisup.worker.train.Evaluation;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;

/**
 * A training step's history.json: after each epoch is trained, and before its checkpoint is saved,
 * the network is evaluated on the validation set (after every {@code spec.data.validateEveryEpochs}
 * epochs and the last; the others get their training loss only) and the epoch's entry written. A resumed step
 * starts from the history its earlier attempts wrote, and an epoch trained again after a crash
 * replaces its entry (with the same values: validation draws from no training generator).
 */
final class EpochHistory {

  /** Evaluates the network as it is now. */
  @FunctionalInterface
  interface Validation {
    Evaluation.Result run() throws IOException;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectStore store;
  private final String key;
  private final Validation validation;
  private final DataSpec data;
  private final Clock clock;
  private TrainingHistory history;
  private int lastEvaluatedEpoch;
  private Evaluation.Result lastEvaluation;

  private EpochHistory(ObjectStore store, String key, Validation validation, DataSpec data, Clock clock,
      TrainingHistory history) {
    this.store = store;
    this.key = key;
    this.validation = validation;
    this.data = data;
    this.clock = clock;
    this.history = history;
  }

  /** The step's history so far (empty for a fresh step). */
  static EpochHistory of(StageContext context, Validation validation) throws IOException {
    String key = context.layout().history(context.step());
    TrainingHistory earlier = context.store().exists(key)
        ? JSON.readValue(context.store().get(key), TrainingHistory.class)
        : new TrainingHistory(context.step().id(), null);
    return new EpochHistory(context.store(), key, validation, context.spec().getData(), context.clock(), earlier);
  }

  /** Validates the just-trained epoch of {@code epochs} if it is one to validate, and writes its entry. */
  void epochTrained(int epoch, int epochs, float meanLoss) throws IOException {
    Evaluation.Result evaluation = data.validatesAfter(epoch, epochs) ? validation.run() : null;
    history = history.with(new TrainingHistory.Epoch(epoch, meanLoss, evaluation == null ? null : evaluation.accuracy(),
        evaluation == null ? null : evaluation.loss(), Instant.now(clock).toString()));
    store.put(key, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(history));
    if (evaluation != null) {
      lastEvaluatedEpoch = epoch;
      lastEvaluation = evaluation;
    }
  }

  /**
   * The validation of {@code epoch} when this process ran it (the final epoch's, reused as the
   * step's metrics: the same parameters, so the same numbers), else null.
   */
  Evaluation.Result evaluationOf(int epoch) {
    return epoch == lastEvaluatedEpoch ? lastEvaluation : null;
  }

  TrainingHistory history() {
    return history;
  }
}
