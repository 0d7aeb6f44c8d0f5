package dev.semisup.worker.stages;

import ai.djl.engine.Engine;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.TeacherInputSpec;
import dev.semisup.api.v1alpha1.TeacherSpec;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.PoolScorer;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.model.TorchScriptNetwork;
import dev.semisup.worker.model.card.CardedModels;
import dev.semisup.worker.model.card.ModelCard;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;

/**
 * The network that scores the pool in a round: round 1's trained teacher (or the checkpoint
 * the spec names instead: this project's parameters, or a TorchScript file with its declared
 * input), later rounds the previous round's fine-tuned student. A trained step's model is read as
 * its card says, whichever engine trained it.
 */
public final class TeacherModels {

  private TeacherModels() {
  }

  public static PoolTeacher forRound(StageContext context, int round) throws IOException {
    SemiSupervisedRunSpec spec = context.spec();
    DataSpec data = spec.getData();
    ModelShape shape = ModelShape.of(data);
    Optional<PlannedStep> trained = context.plan().teacherOf(round);
    if (trained.isEmpty()) {
      TeacherSpec teacher = spec.getTeacher();
      String uri = teacher.getCheckpoint();
      byte[] file = ModelTraining.modelAt(context, uri);
      if (teacher.isTorchScript()) {
        return torchScript(teacher.getInput(), data, file, uri);
      }
      if (TorchScriptNetwork.isZip(file)) {
        throw new BadInputException("spec.teacher.checkpoint: " + uri + " is a zip archive, as TorchScript files are,"
            + " not this project's parameters; for a TorchScript teacher set spec.teacher.format: torchscript and"
            + " spec.teacher.input (imageSize, channels, mean, std)");
      }
      return atRunGeometry(load(teacher.getArchitecture(), shape, Regularization.NONE, file, uri), data);
    }
    PlannedStep step = trained.get();
    Optional<ModelCard> card = ModelTraining.cardOf(context, step);
    if (card.isPresent()) {
      return carded(context, step, card.get());
    }
    // A step trained before cards existed: this project's parameters at the run's geometry.
    byte[] parameters = ModelTraining.modelOf(context, step);
    String name = context.store().uri(context.layout().model(step));
    if (step.stage() == Stage.TEACHER) {
      return atRunGeometry(load(spec.getTeacher().getArchitecture(), shape, Regularization.NONE, parameters, name), data);
    }
    // A fine-tuned student keeps the student's block structure (dropout, stochastic depth).
    return atRunGeometry(load(spec.getStudent().getArchitecture(), shape, Regularization.of(spec.getStudent().getNoise()),
        parameters, name), data);
  }

  /**
   * The step's model as its card describes it, read at the card's geometry and normalisation: this
   * project's network (djl engine) or the TorchScript module a torch-ddp trainer wrote.
   */
  private static PoolTeacher carded(StageContext context, PlannedStep step, ModelCard card) throws IOException {
    String cardUri = context.store().uri(context.layout().modelCard(step));
    String key = ModelTraining.parametersKey(context, step, card);
    String name = context.store().uri(key);
    if (!context.store().exists(key)) {
      throw new BadInputException(cardUri + " names " + card.parameters().file() + ", but " + name + " does not exist");
    }
    PoolScorer network;
    try {
      network = CardedModels.load(card, context.store().get(key), name, cardUri, Engine.getInstance().defaultDevice());
    } catch (IOException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    if (network instanceof Network own) {
      requireFinite(own, name);
    }
    return new PoolTeacher(network, card.geometry(), card.preprocessing());
  }

  private static PoolTeacher atRunGeometry(PoolScorer network, DataSpec data) {
    return new PoolTeacher(network, ImageGeometry.of(data), Augmentation.of(Augmentation.Strength.NONE, data));
  }

  /** At the declared input: the pool is resized and normalised as the teacher was trained, not as the student is. */
  private static PoolTeacher torchScript(TeacherInputSpec input, DataSpec data, byte[] file, String uri)
      throws IOException {
    ImageGeometry geometry = new ImageGeometry(input.getChannels(), input.getImageSize());
    Augmentation preprocessing = new Augmentation(Augmentation.Strength.NONE, geometry, input.resolvedMean(),
        input.resolvedStd(), false);
    ModelShape shape = new ModelShape(geometry.channels(), geometry.size(), data.getClasses());
    // The engine's default device, as for Network.create: the first device infer's replicas use.
    try {
      return new PoolTeacher(TorchScriptNetwork.load(file, shape, Engine.getInstance().defaultDevice(), uri),
          geometry, preprocessing);
    } catch (IOException e) {
      throw new BadInputException("spec.teacher.checkpoint: " + e.getMessage(), e);
    }
  }

  private static Network load(String architecture, ModelShape shape, Regularization noise, byte[] parameters, String name)
      throws IOException {
    Network network = Network.create(architecture, shape, noise, 0);
    try {
      network.loadParameters(new ByteArrayInputStream(parameters), name);
    } catch (IOException e) {
      network.close();
      throw new BadInputException(e.getMessage(), e);
    }
    requireFinite(network, name);
    return network;
  }

  private static void requireFinite(Network network, String name) throws BadInputException {
    Optional<String> broken = network.nonFiniteParameter();
    if (broken.isPresent()) {
      network.close();
      throw new BadInputException(name + ": parameter " + broken.get() + " holds NaN or infinite values (its training"
          + " diverged): this model cannot score the pool; train it again with a lower learning rate");
    }
  }
}
