package dev.semisup.worker.model.card;

import ai.djl.Device;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.PoolScorer;
import dev.semisup.worker.model.TorchScriptNetwork;
import java.io.IOException;
import java.util.List;

/**
 * The network a model card describes, from the bytes of the parameter file it names: this
 * project's network rebuilt from the architecture (the djl engine's parameters), or the
 * TorchScript module itself (a torch-ddp trainer's model.pt). Whoever reads a trained model from a
 * folder (predict, the next round's infer) goes through here, so both engines' models serve alike.
 */
public final class CardedModels {

  /** The parameter formats a step's own folder may hold (a servable directory's djl-params are DJL's to load). */
  public static final List<String> STEP_FORMATS = List.of(ModelCard.SEMISUP_PARAMETERS, ModelCard.TORCHSCRIPT);

  private CardedModels() {
  }

  /**
   * @param parameters the bytes of the card's parameter file
   * @param where      the parameter file's URI, for messages
   * @param cardUri    the card's URI, for messages
   * @throws InvalidModelCardException when the card names a format no step writes
   * @throws IOException               when the file is not what the card says (names the file)
   */
  public static PoolScorer load(ModelCard card, byte[] parameters, String where, String cardUri, Device device)
      throws IOException {
    String format = card.parameters().format();
    if (ModelCard.TORCHSCRIPT.equals(format)) {
      return TorchScriptNetwork.load(parameters, card.shape(), device, where, TorchScriptNetwork.Declaration.card(cardUri));
    }
    if (!ModelCard.SEMISUP_PARAMETERS.equals(format)) {
      throw new InvalidModelCardException(cardUri + ": parameters.format is " + format + "; a step's model is one of "
          + STEP_FORMATS);
    }
    // Built as training built it (dropout adds a layer), so the parameters fit; noise is off when scoring.
    Network network = Network.create(card.architecture(), card.shape(), card.builtWith(), 0, device);
    try {
      network.loadParameters(parameters, where);
    } catch (IOException | RuntimeException e) {
      network.close();
      throw e;
    }
    return network;
  }
}
