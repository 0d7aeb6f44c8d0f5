package dev.semisup.worker.model.card;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.v1alpha1.Architecture;
import dev.semisup.api.v1alpha1.GeometryLimits;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Regularization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a trained model's parameters need to be used from their folder alone: the network that
 * reads them, the classes it predicts, and the exact preprocessing of training (image size,
 * channels, the geometry fit, mean and std); plus where it came from (run and step) and how well
 * it did on the validation set. Written as {@code model-card.json} beside every model.
 *
 * @param format        {@link #FORMAT}: the card's own version
 * @param architecture  the network (spec teacher/student architecture) the parameters belong to; for
 *                      {@link #TORCHSCRIPT} parameters the network the file holds
 * @param noise         the dropout and stochastic depth it was built with: inert when classifying, but
 *                      dropout adds a layer, so the network is rebuilt with it to read the parameters;
 *                      null means none
 * @param classes       class names in label order (the class numbers as text where the data has none)
 * @param imageSize     side of the square every image is fitted to
 * @param channels      1 (grey) or 3 (RGB)
 * @param fit           how an image of another shape is fitted: {@link #FIT}
 * @param mean          per channel, of pixels scaled to [0,1]
 * @param std           per channel, of pixels scaled to [0,1]
 * @param validation    accuracy on the run's validation set, with its size; null when not evaluated
 * @param run           the run that made the model; null when unknown
 * @param step          the step id that made it (teacher, student, finetune, finetune-r2, ...)
 * @param parameters    the parameter file beside the card and its format
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCard(String format, String architecture, Regularization noise, List<String> classes, int imageSize, int channels,
    String fit, double[] mean, double[] std, Validation validation, Run run, String step, Parameters parameters) {

  public static final String FORMAT = "semisup-model-card/v1";

  /** ImageGeometry's fit: centred square, area average when shrinking, bilinear when enlarging, 601 luma. */
  public static final String FIT = "centre-square";

  /** This project's parameter stream (ParameterCodec: name, shape, float32 values per parameter). */
  public static final String SEMISUP_PARAMETERS = "semisup-parameters/v1";

  /** DJL's own .params format (Model.save), as a servable model directory holds it. */
  public static final String DJL_PARAMETERS = "djl-params";

  /**
   * A TorchScript module (torch.jit.save) holding network and parameters: what a torch-ddp trainer
   * writes. It takes (N, channels, imageSize, imageSize) normalised as the card says and returns
   * logits (N, classes); the architecture is then a record of what was trained, not rebuilt.
   */
  public static final String TORCHSCRIPT = "torchscript";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** @param images validation images the accuracy was measured on; null when not recorded */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Validation(double accuracy, double loss, Long images) {
  }

  /** @param uid the run's Kubernetes UID; null for a local run */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Run(String namespace, String name, String uid) {
  }

  /** @param file the file's name in the card's folder */
  public record Parameters(String file, String format) {
  }

  /** The noise to build the network with (none when the card names none). */
  public Regularization builtWith() {
    return noise == null ? Regularization.NONE : noise;
  }

  /** Whether the parameter file is a TorchScript module rather than parameters for a network built here. */
  public boolean isTorchScript() {
    return TORCHSCRIPT.equals(parameters.format());
  }

  public ModelShape shape() {
    return new ModelShape(channels, imageSize, classes.size());
  }

  public ImageGeometry geometry() {
    return new ImageGeometry(channels, imageSize);
  }

  /** Training's evaluation preprocessing: normalisation only, no augmentation. */
  public Augmentation preprocessing() {
    return new Augmentation(Augmentation.Strength.NONE, geometry(), mean, std, false);
  }

  /** The same card describing another parameter file (a servable directory's copy). */
  public ModelCard withParameters(Parameters other) {
    return new ModelCard(format, architecture, noise, classes, imageSize, channels, fit, mean, std, validation, run, step, other);
  }

  public byte[] toJson() throws IOException {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
  }

  /**
   * Reads a card, checking what a model cannot be used without.
   *
   * @param where the card's URI or file, for messages
   */
  public static ModelCard parse(byte[] json, String where) throws IOException {
    ModelCard card;
    try {
      card = JSON.readValue(json, ModelCard.class);
    } catch (IOException e) {
      throw new InvalidModelCardException(where + ": not a model card (" + e.getMessage() + ")", e);
    }
    if (!FORMAT.equals(card.format())) {
      throw new InvalidModelCardException(where + ": format is " + card.format() + ", expected " + FORMAT);
    }
    List<String> problems = problems(card);
    if (!problems.isEmpty()) {
      throw new InvalidModelCardException(where + ": " + String.join("; ", problems));
    }
    return card;
  }

  /**
   * What makes the card unusable, each naming its field, as a manifest's problems are: the same
   * limits as the spec's data fields ({@link GeometryLimits}), since a card describes what training read from them.
   */
  static List<String> problems(ModelCard card) {
    List<String> problems = new ArrayList<>();
    // A TorchScript module brings its own network: its architecture is a record, any name (a custom trainer's).
    boolean torchScript = card.parameters() != null && TORCHSCRIPT.equals(card.parameters().format());
    if (card.architecture() == null || card.architecture().isBlank()) {
      problems.add("architecture is missing: the network the parameters belong to");
    } else if (!torchScript && !Architecture.known(card.architecture())) {
      problems.add("architecture '" + card.architecture() + "' is unknown: one of " + Architecture.NAMES);
    }
    if (card.classes() == null || card.classes().size() < 2 || card.classes().contains(null)) {
      problems.add("classes must name at least 2 classes, in label order");
    }
    if (!GeometryLimits.allowsImageSize(card.imageSize())) {
      problems.add("imageSize must be between " + GeometryLimits.MIN_IMAGE_SIZE + " and " + GeometryLimits.MAX_IMAGE_SIZE
          + ", was "
          + (card.imageSize() == 0 ? "missing (or 0)" : card.imageSize()));
    }
    boolean channels = GeometryLimits.allowsChannels(card.channels());
    if (!channels) {
      problems.add("channels must be 1 or 3, was " + (card.channels() == 0 ? "missing (or 0)" : card.channels()));
    }
    perChannel("mean", card.mean(), channels ? card.channels() : -1, GeometryLimits.MIN_MEAN, GeometryLimits.MAX_MEAN,
        problems);
    perChannel("std", card.std(), channels ? card.channels() : -1, GeometryLimits.MIN_STD, GeometryLimits.MAX_STD,
        problems);
    if (card.parameters() == null || card.parameters().file() == null || card.parameters().file().isBlank()) {
      problems.add("parameters.file is required: the parameter file's name in the card's folder");
    }
    return problems;
  }

  /** Per-channel statistics of pixels scaled to [0,1]: a mean outside [0,1] is no mean of them. */
  private static void perChannel(String field, double[] values, int channels, double min, double max,
      List<String> problems) {
    if (values == null) {
      problems.add(field + " is required: one value per channel");
      return;
    }
    if (channels > 0 && values.length != channels) {
      problems.add(field + " needs " + channels + " values (one per channel), has " + values.length);
    }
    for (double value : values) {
      if (!(value >= min && value <= max)) {
        problems.add(field + " values must be between " + min + " and " + max + " (of pixels scaled to [0,1]), has "
            + value);
        return;
      }
    }
  }
}
