package dev.semisup.worker.predict;

import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.model.card.ModelInput;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * A trained model ready to classify: the network its card names with its parameters, scored as
 * the validation set was scored in training ({@link Network#probabilities}), so predict's accuracy
 * on the validation images is the run's.
 */
public final class Classifier implements AutoCloseable {

  private final Network network;
  private final ModelCard card;
  private final ModelInput input;

  private Classifier(Network network, ModelCard card) {
    this.network = network;
    this.card = card;
    this.input = new ModelInput(card);
  }

  public static Classifier load(TrainedModel model) throws IOException {
    ModelCard card = model.card();
    // Built as training built it (dropout adds a layer), so the parameters fit; noise is off when scoring.
    Network network = Network.create(card.architecture(), card.shape(), card.builtWith(), 0);
    try {
      network.loadParameters(new ByteArrayInputStream(model.parameters()), model.where());
    } catch (IOException | RuntimeException e) {
      network.close();
      throw e;
    }
    return new Classifier(network, card);
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
