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
    Network network = Network.load(card.architecture(), card.shape(), new ByteArrayInputStream(model.parameters()),
        model.where());
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
