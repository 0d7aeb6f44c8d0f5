package dev.semisup.worker.stages;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;

/**
 * The network that scores the pool in a round: round 1's trained teacher (or the checkpoint
 * the spec names instead), later rounds the previous round's fine-tuned student.
 */
public final class TeacherModels {

  private TeacherModels() {
  }

  public static Network forRound(StageContext context, int round) throws IOException {
    SemiSupervisedRunSpec spec = context.spec();
    ModelShape shape = ModelShape.of(spec.getData());
    Optional<PlannedStep> trained = context.plan().teacherOf(round);
    if (trained.isEmpty()) {
      String uri = spec.getTeacher().getCheckpoint();
      return load(spec.getTeacher().getArchitecture(), shape, Regularization.NONE, ModelTraining.modelAt(context, uri), uri);
    }
    PlannedStep step = trained.get();
    byte[] parameters = ModelTraining.modelOf(context, step);
    String name = context.store().uri(context.layout().model(step));
    if (step.stage() == Stage.TEACHER) {
      return load(spec.getTeacher().getArchitecture(), shape, Regularization.NONE, parameters, name);
    }
    // A fine-tuned student keeps the student's block structure (dropout, stochastic depth).
    return load(spec.getStudent().getArchitecture(), shape, Regularization.of(spec.getStudent().getNoise()), parameters, name);
  }

  private static Network load(String architecture, ModelShape shape, Regularization noise, byte[] parameters, String name)
      throws IOException {
    Network network = Network.create(architecture, shape, noise, 0);
    try {
      network.loadParameters(new ByteArrayInputStream(parameters), name);
      Optional<String> broken = network.nonFiniteParameter();
      if (broken.isPresent()) {
        throw new IOException(name + ": parameter " + broken.get() + " holds NaN or infinite values (its training"
            + " diverged): this model cannot score the pool; train it again with a lower learning rate");
      }
      return network;
    } catch (IOException e) {
      network.close();
      throw new BadInputException(e.getMessage(), e);
    }
  }
}
