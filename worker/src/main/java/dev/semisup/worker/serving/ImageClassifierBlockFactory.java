package dev.semisup.worker.serving;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.worker.model.Architectures;
import dev.semisup.worker.model.card.ModelCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the network a servable model directory's card names (architecture, channels, size,
 * classes, and the noise it was built with, inert when classifying): DJL then reads the
 * directory's parameters into it. Named by
 * {@code blockFactory} in serving.properties.
 */
public final class ImageClassifierBlockFactory implements BlockFactory {

  private static final long serialVersionUID = 1L;

  @Override
  public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) throws IOException {
    ModelCard card = card(modelPath);
    return Architectures.build(card.architecture(), card.shape(), card.builtWith());
  }

  /** The card of a model directory (or of the directory holding a model file). */
  static ModelCard card(Path modelPath) throws IOException {
    Path folder = Files.isDirectory(modelPath) ? modelPath : modelPath.getParent();
    Path card = folder.resolve(ObjectLayout.MODEL_CARD);
    if (!Files.isRegularFile(card)) {
      throw new IOException(folder + ": no " + ObjectLayout.MODEL_CARD + "; a semisup servable model needs its card");
    }
    return ModelCard.parse(Files.readAllBytes(card), card.toString());
  }
}
