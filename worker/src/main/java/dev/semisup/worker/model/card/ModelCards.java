package dev.semisup.worker.model.card;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.util.List;

/**
 * Builds the card of a run's trained step from what the run knows: its spec (architecture,
 * classes, preprocessing), its run marker, and the step's validation metrics. Used when a step
 * writes its model, and for a model trained before cards existed (its run's spec.json, run.json
 * and the step's metrics.json say the same).
 */
public final class ModelCards {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelCards() {
  }

  /** The card of {@code step}'s model trained as {@code architecture} under {@code spec}. */
  public static ModelCard of(SemiSupervisedRunSpec spec, String architecture, Regularization noise,
      List<String> classNames, ModelCard.Validation validation, RunMarker marker, PlannedStep step) {
    DataSpec data = spec.getData();
    ModelCard.Run run = marker == null ? null : new ModelCard.Run(marker.namespace(), marker.name(), marker.uid());
    return new ModelCard(ModelCard.FORMAT, architecture, noise, List.copyOf(classNames), data.resolvedImageSize(),
        data.resolvedChannels(), ModelCard.FIT, data.resolvedMean(), data.resolvedStd(), validation, run, step.id(),
        new ModelCard.Parameters(ObjectLayout.MODEL_PARAMETERS, ModelCard.SEMISUP_PARAMETERS));
  }

  /** The card as a training step writes it: the evaluation just made, the run from the prefix's marker. */
  public static ModelCard ofTrainedStep(SemiSupervisedRunSpec spec, ObjectStore store, ObjectLayout layout, Blobs blobs,
      PlannedStep step, String architecture, Regularization noise, ModelCard.Validation validation) throws IOException {
    String markerKey = layout.runMarker();
    RunMarker marker = store.exists(markerKey) ? JSON.readValue(store.get(markerKey), RunMarker.class) : null;
    return of(spec, architecture, noise, ClassNames.of(spec.getData(), blobs), validation, marker, step);
  }

  /**
   * The card a step would have written, from its run's records: for a model trained before
   * cards existed. Without metrics the card has no validation accuracy.
   */
  public static ModelCard rebuilt(SemiSupervisedRunSpec spec, PlannedStep step, StageMetrics metrics, RunMarker marker,
      Blobs blobs) throws IOException {
    String architecture = metrics != null && metrics.architecture() != null ? metrics.architecture()
        : step.stage() == Stage.TEACHER ? spec.getTeacher().getArchitecture() : spec.getStudent().getArchitecture();
    ModelCard.Validation validation = metrics == null ? null
        : new ModelCard.Validation(metrics.accuracy(), metrics.loss(), null);
    // As the stages build them: the teacher without noise, the student with the spec's.
    Regularization noise = step.stage() == Stage.TEACHER ? Regularization.NONE : Regularization.of(spec.getStudent().getNoise());
    return of(spec, architecture, noise, ClassNames.of(spec.getData(), blobs), validation, marker, step);
  }
}
