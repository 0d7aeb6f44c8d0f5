package dev.semisup.worker.model;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A built, initialised network: the DJL model, its shape, and the operations the stages need
 * (score a batch, save and load parameters). Parameters initialise from the seed, so the same
 * seed gives the same starting weights.
 */
public final class Network implements AutoCloseable {

  private final String architecture;
  private final ModelShape shape;
  private final Model model;

  private Network(String architecture, ModelShape shape, Model model) {
    this.architecture = architecture;
    this.shape = shape;
    this.model = model;
  }

  public static Network create(String architecture, ModelShape shape, Regularization noise, long seed) {
    Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
    Block block = Architectures.build(architecture, shape, noise);
    Model model = Model.newInstance(architecture);
    model.setBlock(block);
    block.initialize(model.getNDManager(), DataType.FLOAT32, inputShape(shape, 1));
    return new Network(architecture, shape, model);
  }

  /** Builds the network and loads parameters written by {@link #saveParameters}. */
  public static Network load(String architecture, ModelShape shape, InputStream parameters, String name) throws IOException {
    Network network = create(architecture, shape, Regularization.NONE, 0);
    try {
      network.loadParameters(parameters, name);
    } catch (IOException | RuntimeException e) {
      network.close();
      throw e;
    }
    return network;
  }

  public static Shape inputShape(ModelShape shape, int batch) {
    return new Shape(batch, shape.channels(), shape.size(), shape.size());
  }

  public String architecture() {
    return architecture;
  }

  public ModelShape shape() {
    return shape;
  }

  public Model model() {
    return model;
  }

  public Block block() {
    return model.getBlock();
  }

  /** Parameters in a stable order (the block's declaration order), for checkpoints. */
  public List<Parameter> parameters() {
    List<Parameter> parameters = new ArrayList<>();
    for (Pair<String, Parameter> pair : block().getParameters()) {
      parameters.add(pair.getValue());
    }
    return parameters;
  }

  /**
   * The name of the first parameter holding a NaN or infinite value: the mark of a model whose
   * training diverged. Empty when every value is finite.
   */
  public java.util.Optional<String> nonFiniteParameter() {
    for (Pair<String, Parameter> pair : block().getParameters()) {
      Parameter parameter = pair.getValue();
      if (parameter.isInitialized()) {
        for (float value : parameter.getArray().toFloatArray()) {
          if (!Float.isFinite(value)) {
            return java.util.Optional.of(pair.getKey());
          }
        }
      }
    }
    return java.util.Optional.empty();
  }

  public void saveParameters(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out));
    ParameterCodec.write(block().getParameters(), data);
    data.flush();
  }

  public byte[] parameterBytes() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    saveParameters(bytes);
    return bytes.toByteArray();
  }

  public void loadParameters(InputStream in, String name) throws IOException {
    try (DataInputStream data = new DataInputStream(new BufferedInputStream(in))) {
      ParameterCodec.read(block().getParameters(), data, name);
    } catch (RuntimeException e) {
      throw new IOException(name + ": not parameters of a " + architecture + " for "
          + shape.channels() + "x" + shape.size() + "x" + shape.size() + " images and " + shape.classes()
          + " classes (" + e.getMessage() + ")", e);
    }
  }

  public void loadParameters(byte[] bytes, String name) throws IOException {
    loadParameters(new ByteArrayInputStream(bytes), name);
  }

  /**
   * Class probabilities (softmax) for {@code count} images laid out in {@code images}; returns
   * count x classes floats. Runs in inference mode (batch-norm running statistics, no dropout).
   */
  public float[] probabilities(float[] images, int count) {
    GradMode.off();
    try (NDManager batch = model.getNDManager().newSubManager()) {
      float[] exact = images.length == count * shape.pixels()
          ? images : java.util.Arrays.copyOf(images, count * shape.pixels());
      NDArray input = batch.create(exact, inputShape(shape, count));
      NDArray logits = block().forward(new ParameterStore(batch, false), new NDList(input), false).singletonOrThrow();
      return logits.softmax(1).toFloatArray();
    }
  }

  @Override
  public void close() {
    model.close();
  }
}
