package dev.semisup.worker.predict;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.model.card.CardedModels;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.model.card.InvalidModelCardException;
import dev.semisup.worker.model.card.ModelCards;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.NotARegularFileException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A trained model found from a URI: its card and its parameters. The URI may name
 * <ul>
 *   <li>a model folder (a step's folder, e.g. {@code .../finetune/}) or its card or parameter file:
 *       the card beside the parameters says everything;
 *   <li>a run's folder (the prefix holding spec.json) with a step: {@code final} (the default) is
 *       the plan's last step, the fine-tuned student; {@code teacher}, {@code student-r2}... name others.
 * </ul>
 * A model trained before cards existed has none; its card is rebuilt from its run's records
 * (spec.json, run.json, the step's metrics.json), which the run keeps in the same prefix.
 *
 * <p>What a folder holds is read within budgets ({@link #MAX_RECORD_BYTES}, {@link #MAX_PARAMETER_BYTES}),
 * and the card's parameter file only inside the card's folder: a card is data, and a card naming
 * {@code ../../x} must not make predict read whatever x is.
 *
 * @param where   the parameters' URI, for messages
 * @param rebuilt true when the card was rebuilt from the run's records
 * @param folder  the folder the model was read from: the model's, or the run's when the URI named a run
 */
public record TrainedModel(ModelCard card, byte[] parameters, String where, boolean rebuilt, String folder) {

  /** The step name that means the plan's last step (the final model). */
  public static final String FINAL = "final";

  /** Largest card, spec.json, run.json or metrics.json read: each is a few kilobytes. */
  static final int MAX_RECORD_BYTES = 16 << 20;

  /** Largest parameter file read: a ResNet-50's float32 parameters are about 100 MB. */
  static final int MAX_PARAMETER_BYTES = 1 << 30;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param step a step id or {@link #FINAL}; null when the URI names a model folder (a run folder then
   *             means the final model)
   */
  public static TrainedModel locate(Blobs blobs, String uri, String step) throws IOException {
    String folder = folderOf(uri);
    Optional<byte[]> card = read(blobs, folder + ObjectLayout.MODEL_CARD);
    if (card.isPresent()) {
      requireNoStep(step, folder);
      return carded(blobs, folder, ModelCard.parse(card.get(), folder + ObjectLayout.MODEL_CARD), folder);
    }
    Optional<byte[]> spec = read(blobs, folder + "spec.json");
    if (spec.isPresent()) {
      return ofRun(blobs, folder, parseSpec(spec.get(), folder + "spec.json"), step == null ? FINAL : step);
    }
    // A step folder of a run without cards: the run's records are one folder up (two after round-N/).
    String runFolder = folder;
    for (int up = 0; up < 2 && (runFolder = parent(runFolder)) != null; up++) {
      Optional<byte[]> runSpec = read(blobs, runFolder + "spec.json");
      if (runSpec.isPresent()) {
        requireNoStep(step, folder);
        SemiSupervisedRunSpec parsed = parseSpec(runSpec.get(), runFolder + "spec.json");
        String relative = folder.substring(runFolder.length()).replaceAll("/+$", "");
        ObjectLayout layout = new ObjectLayout("");
        String where = runFolder;
        PlannedStep trained = StagePlan.of(parsed).steps().stream()
            .filter(s -> s.stage().trains() && layout.folder(s).equals(relative)).findFirst()
            .orElseThrow(() -> new ModelNotFoundException("--model " + uri + ": " + relative
                + " is not the folder of a trained step of the run in " + where));
        return ofRun(blobs, runFolder, parsed, trained.id());
      }
    }
    throw new ModelNotFoundException("--model " + uri + ": found neither " + ObjectLayout.MODEL_CARD
        + " (a model folder) nor spec.json (a run folder) in " + folder);
  }

  /** --step picks a model of a run; with a model folder it could only be ignored, so it is refused. */
  private static void requireNoStep(String step, String folder) throws ModelNotFoundException {
    if (step != null) {
      throw new ModelNotFoundException("--step " + step + ": only with a run's folder (holding spec.json); "
          + folder + " is one model's folder");
    }
  }

  private static TrainedModel carded(Blobs blobs, String folder, ModelCard card, String readFrom) throws IOException {
    if (!CardedModels.STEP_FORMATS.contains(card.parameters().format())) {
      throw new ModelNotFoundException("--model " + folder + ": its parameters are " + card.parameters().format()
          + (ModelCard.DJL_PARAMETERS.equals(card.parameters().format()) ? " (a servable directory, for DJL)" : "")
          + "; give a step's own folder, whose card names parameters of format " + String.join(" or ",
          CardedModels.STEP_FORMATS));
    }
    String parameters = folder + inside(folder, card.parameters().file());
    return new TrainedModel(card, read(blobs, parameters, MAX_PARAMETER_BYTES).orElseThrow(() -> new ModelNotFoundException(
        "--model " + folder + ": the card names " + parameters + ", which does not exist")), parameters, false, readFrom);
  }

  /**
   * The card's parameter file as a path inside its folder, normalised; a name that leaves the
   * folder (../x, /x, a URI) is refused.
   */
  static String inside(String folder, String file) throws InvalidModelCardException {
    String normalized;
    try {
      normalized = file.contains("\\") || file.contains(":") ? null : Path.of(file).normalize().toString();
    } catch (InvalidPathException e) {
      normalized = null;
    }
    if (normalized == null || normalized.isEmpty() || normalized.equals("..") || normalized.startsWith("../")
        || normalized.startsWith("/")) {
      throw new InvalidModelCardException(folder + ObjectLayout.MODEL_CARD + ": parameters.file '" + file
          + "' is not a file inside the card's folder " + folder);
    }
    return normalized;
  }

  private static TrainedModel ofRun(Blobs blobs, String runFolder, SemiSupervisedRunSpec spec, String step)
      throws IOException {
    StagePlan plan = StagePlan.of(spec);
    PlannedStep trained;
    try {
      trained = FINAL.equals(step) ? plan.last() : plan.require(step);
    } catch (IllegalArgumentException e) {
      throw new ModelNotFoundException("--step " + step + ": " + e.getMessage());
    }
    if (!trained.stage().trains()) {
      throw new ModelNotFoundException("--step " + step + ": " + trained.id() + " trains no model");
    }
    ObjectLayout layout = new ObjectLayout("");
    String modelFolder = runFolder + layout.folder(trained) + "/";
    Optional<byte[]> card = read(blobs, runFolder + layout.modelCard(trained));
    if (card.isPresent()) {
      return carded(blobs, modelFolder, ModelCard.parse(card.get(), runFolder + layout.modelCard(trained)), runFolder);
    }
    String parametersUri = runFolder + layout.model(trained);
    byte[] parameters = read(blobs, parametersUri, MAX_PARAMETER_BYTES).orElseThrow(() -> new ModelNotFoundException(
        "--model " + runFolder + ": " + trained.id() + " has no model at " + parametersUri + " (has the run finished it?)"));
    StageMetrics metrics = readJson(blobs, runFolder + layout.metrics(trained), StageMetrics.class);
    RunMarker marker = readJson(blobs, runFolder + layout.runMarker(), RunMarker.class);
    ModelCard rebuilt = ModelCards.rebuilt(spec, trained, metrics, marker, blobs);
    return new TrainedModel(rebuilt, parameters, parametersUri, true, runFolder);
  }

  /** The card's URI, for messages: beside the parameters (for a rebuilt card, the parameters' own). */
  public String cardUri() {
    return rebuilt ? where : where.substring(0, where.lastIndexOf('/') + 1) + ObjectLayout.MODEL_CARD;
  }

  /** The folder a model URI names: itself (with a '/'), or the folder of a named file. */
  static String folderOf(String uri) {
    String name = uri.substring(uri.lastIndexOf('/', uri.length() - 2) + 1);
    if (name.endsWith(".json") || name.endsWith(".params") || name.endsWith(".pt")) {
      return uri.substring(0, uri.length() - name.length());
    }
    return uri.endsWith("/") ? uri : uri + "/";
  }

  /** The enclosing folder of a folder URI, or null at the top of the scheme. */
  private static String parent(String folder) {
    int slash = folder.lastIndexOf('/', folder.length() - 2);
    String parent = slash < 0 ? null : folder.substring(0, slash + 1);
    return parent == null || parent.endsWith("://") || parent.endsWith(":///") ? null : parent;
  }

  private static SemiSupervisedRunSpec parseSpec(byte[] json, String where) throws IOException {
    try {
      return Manifests.parseSpec(new String(json, StandardCharsets.UTF_8), where);
    } catch (ManifestException e) {
      throw new ModelNotFoundException("--model: " + e.getMessage());
    }
  }

  private static <T> T readJson(Blobs blobs, String uri, Class<T> type) throws IOException {
    Optional<byte[]> bytes = read(blobs, uri);
    return bytes.isPresent() ? JSON.readValue(bytes.get(), type) : null;
  }

  private static Optional<byte[]> read(Blobs blobs, String uri) throws IOException {
    return read(blobs, uri, MAX_RECORD_BYTES);
  }

  private static Optional<byte[]> read(Blobs blobs, String uri, int budget) throws IOException {
    byte[] bytes;
    try (InputStream in = blobs.open(uri)) {
      bytes = in.readNBytes(budget + 1);
    } catch (NotARegularFileException e) {
      throw new ModelNotFoundException("--model: " + e.getMessage());
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
    if (bytes.length > budget) {
      throw new ModelNotFoundException("--model: " + uri + " is larger than " + budget + " bytes, more than a model's"
          + " file of its kind holds");
    }
    return Optional.of(bytes);
  }
}
