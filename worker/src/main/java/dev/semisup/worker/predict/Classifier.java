package dev.semisup.worker.predict;

import ai.djl.engine.Engine;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.PoolScorer;
import dev.semisup.worker.model.card.CardedModels;
import dev.semisup.worker.model.card.InvalidModelCardException;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.model.card.ModelInput;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;

/**
 * A trained model ready to classify: the network its card describes (this project's network with
 * its parameters, or a TorchScript module), scored as the validation set was scored in training
 * ({@link PoolScorer#probabilities}), so predict's accuracy on the validation images is the run's.
 */
public final class Classifier implements AutoCloseable {

  private final PoolScorer network;
  private final ModelCard card;
  private final ModelInput input;
  private final String where;

  private Classifier(PoolScorer network, ModelCard card, String where) {
    this.network = network;
    this.card = card;
    this.where = where;
    this.input = new ModelInput(card);
  }

  public static Classifier load(TrainedModel model) throws IOException {
    ModelCard card = model.card();
    if (card.isTorchScript()) {
      try {
        return new Classifier(CardedModels.load(card, model.parameters(), model.where(), model.cardUri(),
            Engine.getInstance().defaultDevice()), card, model.where());
      } catch (InvalidModelCardException e) {
        throw e;
      } catch (IOException e) {
        // Not TorchScript, or not for the card's shape and classes: the message names the file and the card.
        throw new InvalidModelCardException(e.getMessage(), e);
      }
    }
    // Built as training built it (dropout adds a layer), so the parameters fit; noise is off when scoring.
    Network network;
    try {
      network = Network.create(card.architecture(), card.shape(), card.builtWith(), 0);
    } catch (RuntimeException e) {
      // The card passed its checks, so the network it names cannot be built for its shape.
      throw mismatch(model, "a " + card.architecture() + " cannot be built for " + shape(card) + " (" + e.getMessage() + ")", e);
    }
    try {
      network.loadParameters(new ByteArrayInputStream(model.parameters()), model.where());
    } catch (IOException | RuntimeException e) {
      network.close();
      throw mismatch(model, "they are not the parameters of a " + card.architecture() + " for " + shape(card)
          + " (" + e.getMessage() + ")", e);
    }
    Optional<String> broken = network.nonFiniteParameter();
    if (broken.isPresent()) {
      network.close();
      throw new InvalidModelCardException(model.where() + ": parameter " + broken.get() + " holds NaN or infinite values"
          + " (its training diverged); it would answer NaN for every image");
    }
    return new Classifier(network, card, model.where());
  }

  /** Parameters and card that do not belong together: the user's model folder to fix (exit 2). */
  private static InvalidModelCardException mismatch(TrainedModel model, String why, Exception cause) {
    return new InvalidModelCardException(model.where() + " does not fit its model card: " + why, cause);
  }

  private static String shape(ModelCard card) {
    return card.channels() + "x" + card.imageSize() + "x" + card.imageSize() + " images and " + card.classes().size()
        + " classes";
  }

  /** The parameters' URI, for messages. */
  public String where() {
    return where;
  }

  public ModelCard card() {
    return card;
  }

  /** How images become this model's input floats. */
  public ModelInput input() {
    return input;
  }

  /** count x classes probabilities for the {@code count} images laid out in {@code batch}. */
  public float[] probabilities(float[] batch, int count) {
    return network.probabilities(batch, count);
  }

  @Override
  public void close() {
    network.close();
  }
}
