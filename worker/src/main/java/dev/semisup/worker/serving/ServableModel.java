package dev.semisup.worker.serving;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a trained network as a model directory that DJL's {@code Criteria} and DJL Serving load
 * as it is (model path = the directory):
 * <ul>
 *   <li>{@code serving.properties}: the PyTorch engine, our {@link ImageClassifierBlockFactory}
 *       (DJL builds the network with it, then reads the parameters) and
 *       {@link ImageClassifierTranslatorFactory} (image bytes in, class probabilities out);
 *   <li>{@code model-0000.params}: the parameters in DJL's own format ({@code Model.save}), which
 *       is what DJL reads for a block it built;
 *   <li>{@code synset.txt}: the class names, one a line, in label order, as DJL's classifiers read;
 *   <li>{@code model-card.json}: the card, so the directory is usable alone.
 * </ul>
 * A TorchScript model (trained by a torch-ddp trainer) is written as {@code model.pt} instead,
 * with no block factory ({@link #writeTorchScript}). The worker's classes must be on the loader's
 * class path: in DJL Serving, put the worker jar in its {@code deps} folder (or the model
 * directory's {@code libs}).
 */
public final class ServableModel {

  /** The model name DJL loads by: the parameter file is {@code model-0000.params}. */
  public static final String MODEL_NAME = "model";
  public static final String SERVING_PROPERTIES = "serving.properties";
  public static final String SYNSET = "synset.txt";

  private ServableModel() {
  }

  /** serving.properties as DJL's model loader and DJL Serving read it. */
  static String servingProperties() {
    return "# Written by semisup: load with DJL Criteria (optModelPath = this directory) or DJL Serving.\n"
        + "engine=PyTorch\n"
        + "option.modelName=" + MODEL_NAME + "\n"
        + "blockFactory=" + ImageClassifierBlockFactory.class.getName() + "\n"
        + "translatorFactory=" + ImageClassifierTranslatorFactory.class.getName() + "\n";
  }

  /**
   * serving.properties of a TorchScript model: no block factory, DJL's PyTorch engine loads
   * {@code model.pt} itself; mapLocation so tensors saved on a GPU load on a CPU-only server.
   */
  static String torchScriptServingProperties() {
    return "# Written by semisup: load with DJL Criteria (optModelPath = this directory) or DJL Serving.\n"
        + "engine=PyTorch\n"
        + "option.modelName=" + MODEL_NAME + "\n"
        + "option.mapLocation=true\n"
        + "translatorFactory=" + ImageClassifierTranslatorFactory.class.getName() + "\n";
  }

  /**
   * Writes a TorchScript model (a torch-ddp trainer's model.pt) as a servable directory: the module
   * as {@code model.pt}, which DJL's PyTorch engine loads as it is, with the same translator,
   * synset and card as for this project's networks.
   */
  public static void writeTorchScript(ObjectStore store, String folderKey, byte[] module, ModelCard card)
      throws IOException {
    String moduleFile = MODEL_NAME + ".pt";
    store.put(folderKey + moduleFile, module);
    store.put(folderKey + SYNSET, (String.join("\n", card.classes()) + "\n").getBytes(StandardCharsets.UTF_8));
    store.put(folderKey + ObjectLayout.MODEL_CARD,
        card.withParameters(new ModelCard.Parameters(moduleFile, ModelCard.TORCHSCRIPT)).toJson());
    // Last: a directory with serving.properties is a whole one.
    store.put(folderKey + SERVING_PROPERTIES, torchScriptServingProperties().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes the directory's files under {@code folderKey} (ending in '/'), the parameters from
   * {@code network} and the card adjusted to name them.
   */
  public static void write(ObjectStore store, String folderKey, Network network, ModelCard card) throws IOException {
    Path scratch = Files.createTempDirectory("semisup-servable");
    try {
      // DJL writes its format only to a file; the store may be S3, so the file travels as bytes.
      network.model().save(scratch, MODEL_NAME);
      String parameterFile = MODEL_NAME + "-0000.params";
      store.put(folderKey + parameterFile, Files.readAllBytes(scratch.resolve(parameterFile)));
      store.put(folderKey + SYNSET, (String.join("\n", card.classes()) + "\n").getBytes(StandardCharsets.UTF_8));
      store.put(folderKey + ObjectLayout.MODEL_CARD,
          card.withParameters(new ModelCard.Parameters(parameterFile, ModelCard.DJL_PARAMETERS)).toJson());
      // Last: a directory with serving.properties is a whole one.
      store.put(folderKey + SERVING_PROPERTIES, servingProperties().getBytes(StandardCharsets.UTF_8));
    } finally {
      try (Stream<Path> files = Files.walk(scratch)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }
}
