package dev.semisup.worker.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.api.v1alpha1.TrainingSpec;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.model.Devices;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.model.card.InvalidModelCardException;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.model.card.ModelCards;
import dev.semisup.worker.progress.ProgressReporter;
import dev.semisup.worker.serving.ServableModel;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.NotARegularFileException;
import dev.semisup.worker.train.Evaluation;
import dev.semisup.worker.train.LossGuard;
import dev.semisup.worker.train.PixelTransform;
import dev.semisup.worker.train.StoreCheckpoints;
import dev.semisup.worker.train.TrainingLoop;
import dev.semisup.worker.train.TrainingSet;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the three training stages share: train a network on examples with checkpoints in the
 * store, write its parameters, evaluate it on the validation set and write metrics.json.
 */
public final class ModelTraining {

  private static final Logger LOG = LoggerFactory.getLogger(ModelTraining.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EVALUATION_BATCH = 256;
  private static final Pattern PLAIN_FILE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  /** The most one Java array holds: a checkpoint is read into one. */
  static final int MAX_CHECKPOINT_BYTES = Integer.MAX_VALUE - 8;

  /** A network to train: its name, its noise, and optionally the parameters it starts from. */
  public record Recipe(String architecture, Regularization noise, TrainingSpec training,
      Augmentation.Strength augmentation, byte[] startingParameters) {
  }

  private ModelTraining() {
  }

  public static StageMetrics trainAndEvaluate(StageContext context, Recipe recipe, TrainingSet examples) throws IOException {
    PlannedStep step = context.step();
    DataSpec data = context.spec().getData();
    ModelShape shape = ModelShape.of(data);
    long started = System.nanoTime();
    try (Network network = Network.create(recipe.architecture(), shape, recipe.noise(), recipe.training().getSeed())) {
      if (recipe.startingParameters() != null) {
        network.loadParameters(recipe.startingParameters(), "starting parameters of " + step.id());
      }
      Augmentation augmentation = Augmentation.of(recipe.augmentation(), data);
      PixelTransform transform = (image, out, offset, random) -> augmentation.apply(image, random, out, offset);
      ProgressReporter progress = context.progress();
      LOG.info("{}: training {} on {} images for {} epochs", step.id(), recipe.architecture(),
          examples.examplesPerEpoch(), recipe.training().getEpochs());
      EpochHistory history = EpochHistory.of(context, () -> evaluate(context, network));
      TrainingLoop.Result result;
      try {
        // Data-parallel over every GPU the pod sees; one device (validation allows no more for now)
        // takes the single-device path.
        result = new TrainingLoop(network, recipe.training(), transform, Devices.ofPod())
            .fit(examples, new StoreCheckpoints(context.store(), context.layout(), step), listener(progress, history));
      } catch (LossGuard.Diverged diverged) {
        String field = trainingField(step);
        throw new BadInputException(step.id() + ": training diverged: " + diverged.getMessage() + "; " + field
            + ".learningRate is " + recipe.training().getLearningRate() + ": lower it", diverged);
      }

      if (result.skippedImages() > 0) {
        LOG.warn("{}: skipped {} corrupt images while training", step.id(), result.skippedImages());
      }
      context.store().write(context.layout().model(step), network::saveParameters);
      Evaluation.Result last = history.evaluationOf(result.epochs());
      Evaluation.Result evaluation = last != null ? last : evaluate(context, network);
      StageMetrics metrics = new StageMetrics(step.id(), recipe.architecture(), evaluation.accuracy(),
          evaluation.loss(), result.epochs(), result.imagesPerEpoch(), result.imagesPerSecond(),
          (System.nanoTime() - started) / 1e9);
      context.store().put(context.layout().metrics(step), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(metrics));
      writeModelCard(context, network, recipe.architecture(), recipe.noise(), evaluation);
      progress.finish(result.imagesPerEpoch(), result.imagesPerEpoch(), result.imagesPerSecond());
      LOG.info("{}: validation accuracy {} on {} images", step.id(),
          String.format("%.4f", evaluation.accuracy()), evaluation.images());
      return metrics;
    }
  }

  /**
   * Evaluates a step's kept model on the validation set again and rewrites its metrics.json,
   * keeping what the metrics say about training: for a validation set fixed after the step trained.
   */
  public static StageMetrics evaluateAgain(StageContext context, String architecture, Regularization noise) throws IOException {
    PlannedStep step = context.step();
    long started = System.nanoTime();
    String metricsKey = context.layout().metrics(step);
    StageMetrics before = context.store().exists(metricsKey)
        ? JSON.readValue(context.store().get(metricsKey), StageMetrics.class) : null;
    try (Network network = Network.create(architecture, ModelShape.of(context.spec().getData()), noise, 0)) {
      network.loadParameters(modelOf(context, step), context.store().uri(context.layout().model(step)));
      Evaluation.Result evaluation = evaluate(context, network);
      StageMetrics metrics = new StageMetrics(step.id(), architecture, evaluation.accuracy(), evaluation.loss(),
          before == null ? 0 : before.epochs(), before == null ? 0 : before.trainImages(),
          before == null ? 0 : before.imagesPerSecond(),
          (before == null ? 0 : before.seconds()) + (System.nanoTime() - started) / 1e9);
      context.store().put(metricsKey, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(metrics));
      writeModelCard(context, network, architecture, noise, evaluation);
      LOG.info("{}: validation set changed; kept model evaluated again: accuracy {} on {} images", step.id(),
          String.format("%.4f", evaluation.accuracy()), evaluation.images());
      return metrics;
    }
  }

  /**
   * The model card beside the parameters, so the model is usable from its folder alone; the final
   * step's model also as a servable directory (DJL Criteria / DJL Serving).
   */
  private static void writeModelCard(StageContext context, Network network, String architecture, Regularization noise,
      Evaluation.Result evaluation) throws IOException {
    PlannedStep step = context.step();
    ModelCard card = ModelCards.ofTrainedStep(context.spec(), context.store(), context.layout(), context.blobs(), step,
        architecture, noise, new ModelCard.Validation(evaluation.accuracy(), evaluation.loss(), evaluation.images()));
    context.store().put(context.layout().modelCard(step), card.toJson());
    if (step.stage() == Stage.FINETUNE) {
      ServableModel.write(context.store(), context.layout().servableModel(step), network, card);
    }
  }

  private static Evaluation.Result evaluate(StageContext context, Network network) throws IOException {
    DataSpec data = context.spec().getData();
    Augmentation plain = Augmentation.of(Augmentation.Strength.NONE, data);
    return Evaluation.of(network, DataSources.validation(data, context.blobs()),
        (image, out, offset, random) -> plain.apply(image, random, out, offset), EVALUATION_BATCH);
  }

  private static TrainingLoop.Listener listener(ProgressReporter progress, EpochHistory history) {
    long started = System.nanoTime();
    return new TrainingLoop.Listener() {
      long batchesSeen;

      @Override
      public void batchDone(int epoch, int epochs, int batch, int batches, float loss, double imagesPerSecond) {
        batchesSeen++;
        double seconds = (System.nanoTime() - started) / 1e9;
        long remaining = (long) (epochs - epoch) * batches + (batches - batch);
        Long eta = batchesSeen < 3 ? null : Math.round(remaining * seconds / batchesSeen);
        progress.training(epoch, epochs, batch, batches, imagesPerSecond, loss, eta);
      }

      @Override
      public void epochTrained(int epoch, int epochs, float meanLoss) throws IOException {
        history.epochTrained(epoch, epochs, meanLoss);
      }
    };
  }

  /** The spec section holding a training step's hyper-parameters, for messages. */
  static String trainingField(PlannedStep step) {
    return switch (step.stage()) {
      case TEACHER -> "spec.teacher.training";
      case STUDENT -> "spec.student.training";
      case FINETUNE -> "spec.student.finetuning";
      default -> throw new IllegalStateException(step.id() + " trains no model");
    };
  }

  /** Reads a trained step's parameters (model.params) from the store. */
  public static byte[] modelOf(StageContext context, PlannedStep trained) throws IOException {
    String key = context.layout().model(trained);
    if (!context.store().exists(key)) {
      throw new IOException(trained.id() + " has no model at " + context.store().uri(key) + ": run " + trained.id() + " first");
    }
    return context.store().get(key);
  }

  /** A trained step's model card, if it wrote one (steps trained before cards existed did not). */
  public static Optional<ModelCard> cardOf(StageContext context, PlannedStep trained) throws IOException {
    String key = context.layout().modelCard(trained);
    if (!context.store().exists(key)) {
      return Optional.empty();
    }
    try {
      return Optional.of(ModelCard.parse(context.store().get(key), context.store().uri(key)));
    } catch (InvalidModelCardException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }

  /**
   * The key of the parameter file a step's card names: a plain file name in the step's folder, so a
   * card (a trainer's output, possibly the user's own trainer) cannot point a stage elsewhere.
   */
  public static String parametersKey(StageContext context, PlannedStep trained, ModelCard card)
      throws BadInputException {
    String file = card.parameters().file();
    if (file == null || !PLAIN_FILE_NAME.matcher(file).matches() || file.equals(".") || file.equals("..")) {
      throw new BadInputException(context.store().uri(context.layout().modelCard(trained)) + ": parameters.file '"
          + file + "' is not a file name in the step's folder");
    }
    return context.layout().folder(trained) + "/" + file;
  }

  /** Reads parameters from a URI given in the spec (teacher.checkpoint). */
  public static byte[] modelAt(StageContext context, String uri) throws IOException {
    return modelAt(context.blobs(), uri);
  }

  /**
   * As above, from any store. The checkpoint is read whole into one array, so one larger than an
   * array holds is refused by its size before a byte is read (it would end every retry of the step
   * with an OutOfMemoryError), and so is a path that is no regular file (a FIFO would block it).
   */
  public static byte[] modelAt(Blobs blobs, String uri) throws IOException {
    String field = "spec.teacher.checkpoint: ";
    try {
      long size = blobs.size(uri);
      if (size > MAX_CHECKPOINT_BYTES) {
        throw new BadInputException(field + uri + " holds " + size + " bytes; a checkpoint is read into memory whole,"
            + " and at most " + MAX_CHECKPOINT_BYTES + " bytes fit");
      }
      try (InputStream in = blobs.open(uri)) {
        return in.readNBytes(MAX_CHECKPOINT_BYTES);
      }
    } catch (NotARegularFileException e) {
      throw new BadInputException(field + e.getMessage(), e);
    } catch (java.io.FileNotFoundException e) {
      throw new BadInputException(field + uri + " does not exist", e);
    }
  }
}
