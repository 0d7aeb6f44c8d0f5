package dev.semisup.worker.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * A model as a TorchScript file ({@code torch.jit.trace(model, example).save(path)}): a teacher
 * brought by the user, or a step's model trained by a torch-ddp trainer (its card's parameters),
 * run by DJL's PyTorch engine as a {@code PtSymbolBlock} in inference mode (batch-norm running
 * statistics, no dropout). It takes images of the shape declared in the spec and returns logits;
 * the softmax is taken here, as for the project's own networks. Loading checks what a wrong file
 * or a wrong declaration would otherwise turn into silent nonsense or a crash mid-pool: that the
 * file holds TorchScript code, and that one image of the declared shape gives one row of
 * {@code classes} scores.
 */
public final class TorchScriptNetwork implements PoolScorer {

  private static final String ENGINE = "PyTorch";

  /**
   * Who declared what the module should take and return, for messages that say what to fix: the
   * spec for a brought teacher, the model card for a step's model trained by a torch-ddp trainer.
   *
   * @param input   the fields declaring channels and image size
   * @param classes the field declaring the number of classes, and who it belongs to ("a teacher of ...")
   * @param export  what to do about a file that is no TorchScript
   */
  public record Declaration(String input, String classes, String export) {

    /** spec.teacher.format: torchscript with spec.teacher.input. */
    public static final Declaration TEACHER_SPEC = new Declaration("spec.teacher.input.channels and .imageSize",
        "a teacher of spec.data.classes", "export the teacher with torch.jit.trace(model, example).save(path), or,"
        + " for this project's own model.params, leave spec.teacher.format out");

    /** A model card naming parameters of format torchscript. */
    public static Declaration card(String cardUri) {
      return new Declaration(cardUri + "'s channels and imageSize", "a model of " + cardUri + "'s classes",
          "the trainer must save its model with torch.jit.trace(model, example).save(path) or torch.jit.script,"
          + " as its card's parameters.format says");
    }
  }

  private final byte[] file;
  private final String name;
  private final ModelShape shape;
  private final Declaration declaration;
  private final Model model;

  private TorchScriptNetwork(byte[] file, String name, ModelShape shape, Declaration declaration, Model model) {
    this.file = file;
    this.name = name;
    this.shape = shape;
    this.declaration = declaration;
    this.model = model;
  }

  /**
   * Loads the file's module onto {@code device} and checks it against {@code shape}.
   *
   * @param name the file's URI, named in every error
   * @throws IOException naming the file when it is no TorchScript module or does not map one image
   *     of the shape to {@code shape.classes()} scores
   */
  public static TorchScriptNetwork load(byte[] file, ModelShape shape, Device device, String name) throws IOException {
    return load(file, shape, device, name, Declaration.TEACHER_SPEC);
  }

  /** As {@link #load(byte[], ModelShape, Device, String)}, with messages naming what {@code declaration} says. */
  public static TorchScriptNetwork load(byte[] file, ModelShape shape, Device device, String name,
      Declaration declaration) throws IOException {
    requireTorchScript(file, name, declaration);
    Model model = Model.newInstance(name, device, ENGINE);
    try {
      // mapLocation: tensors saved on a GPU load onto this device instead (a CPU-only pod can score).
      model.load(new ByteArrayInputStream(file), Map.of("mapLocation", "true"));
    } catch (MalformedModelException | EngineException | IOException e) {
      model.close();
      throw new IOException(name + ": PyTorch cannot load it as a TorchScript module: " + e.getMessage(), e);
    }
    TorchScriptNetwork network = new TorchScriptNetwork(file, name, shape, declaration, model);
    try {
      network.probe();
    } catch (IOException | RuntimeException e) {
      network.close();
      throw e;
    }
    return network;
  }

  /**
   * A TorchScript file is a zip archive with the module's code under {@code <name>/code/}; a
   * {@code torch.save}d model or state dict is a zip too, but without code, and libtorch's error
   * for it does not say what to do.
   */
  private static void requireTorchScript(byte[] file, String name, Declaration declaration) throws IOException {
    if (!isZip(file)) {
      throw new IOException(name + ": not a TorchScript file (those are zip archives written by torch.jit.save); "
          + declaration.export());
    }
    // The central directory, not a stream of local headers: PyTorch stores entries uncompressed with
    // data descriptors, which java.util.zip's stream reader refuses.
    try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(file)).get()) {
      for (Enumeration<ZipArchiveEntry> entries = zip.getEntries(); entries.hasMoreElements(); ) {
        if (entries.nextElement().getName().contains("/code/")) {
          return;
        }
      }
    } catch (IOException e) {
      throw new IOException(name + ": a damaged zip archive, not a readable TorchScript file: " + e.getMessage(), e);
    }
    throw new IOException(name + ": a PyTorch archive without TorchScript code (saved with torch.save?); "
        + declaration.export());
  }

  /** Whether the bytes start as a zip archive does ("PK\3\4"), as every TorchScript file. */
  public static boolean isZip(byte[] file) {
    return file.length >= 4 && file[0] == 'P' && file[1] == 'K' && file[2] == 3 && file[3] == 4;
  }

  /** One image of zeros through the module: the declared input must fit and give one row of class scores. */
  private void probe() throws IOException {
    String declared = shape.channels() + "x" + shape.size() + "x" + shape.size();
    Shape output;
    try (NDManager batch = model.getNDManager().newSubManager()) {
      NDList outputs = forward(batch, new float[shape.pixels()], 1);
      if (outputs.size() != 1) {
        throw new IOException(name + ": returns " + outputs.size() + " tensors; a classifier returns one, its logits"
            + " (batch x classes)");
      }
      output = outputs.singletonOrThrow().getShape();
    } catch (EngineException e) {
      throw new IOException(name + ": fails on a batch of one " + declared + " image (" + declaration.input()
          + " declare that shape; they must be those the model was exported for): " + firstLine(e.getMessage()), e);
    }
    if (!output.equals(new Shape(1, shape.classes()))) {
      throw new IOException(name + ": returns " + output + " for a batch of one " + declared + " image, where "
          + declaration.classes() + " = " + shape.classes() + " classes returns (1, " + shape.classes() + ")");
    }
  }

  private NDList forward(NDManager batch, float[] images, int count) {
    return forward(batch, batch.create(images, Network.inputShape(shape, count)));
  }

  private NDList forward(NDManager batch, NDArray input) {
    GradMode.off();
    NDList outputs = block().forward(new ParameterStore(batch, false), new NDList(input), false);
    // The outputs may belong to the module's manager: closed with the batch, or they pile up per batch.
    outputs.attach(batch);
    return outputs;
  }

  private Block block() {
    return model.getBlock();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }

  @Override
  public ModelShape shape() {
    return shape;
  }

  @Override
  public Device device() {
    return model.getNDManager().getDevice();
  }

  @Override
  public float[] probabilities(float[] images, int count) {
    return scores(images, count, true);
  }

  /** The module's own outputs, before the softmax (for tests: a softmax can hide differences). */
  float[] logits(float[] images, int count) {
    return scores(images, count, false);
  }

  @Override
  public float[] probabilities(PixelBatch images, InputNormalisation normalisation) {
    try (NDManager batch = model.getNDManager().newSubManager()) {
      NDArray logits = forward(batch, normalisation.input(batch, images, shape)).singletonOrThrow();
      return probabilities(logits, images.count(), true);
    }
  }

  private float[] scores(float[] images, int count, boolean softmax) {
    try (NDManager batch = model.getNDManager().newSubManager()) {
      float[] exact = images.length == count * shape.pixels() ? images : Arrays.copyOf(images, count * shape.pixels());
      return probabilities(forward(batch, exact, count).singletonOrThrow(), count, softmax);
    }
  }

  /** The module's output checked for shape, softmaxed when asked. */
  private float[] probabilities(NDArray output, int count, boolean softmax) {
    NDArray logits = output.toType(DataType.FLOAT32, false);
    if (!logits.getShape().equals(new Shape(count, shape.classes()))) {
      throw new IllegalStateException(name + ": returned " + logits.getShape() + " for " + count + " images, not ("
          + count + ", " + shape.classes() + ")");
    }
    return (softmax ? logits.softmax(1) : logits).toFloatArray();
  }

  @Override
  public TorchScriptNetwork replica(Device device) {
    try {
      return load(file, shape, device, name, declaration);
    } catch (IOException e) {
      throw new IllegalStateException(name + ": loaded once, but not again on " + device + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    model.close();
  }
}
