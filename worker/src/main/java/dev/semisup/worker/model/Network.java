package dev.semisup.worker.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
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
public final class Network implements PoolScorer {

  private static final NDIndex EVERYTHING = new NDIndex("...");

  private final String architecture;
  private final ModelShape shape;
  private final Regularization noise;
  private final Model model;
  private InferenceNetwork inference;

  private Network(String architecture, ModelShape shape, Regularization noise, Model model) {
    this.architecture = architecture;
    this.shape = shape;
    this.noise = noise;
    this.model = model;
  }

  /** On the engine's default device (the first GPU where there is one). */
  public static Network create(String architecture, ModelShape shape, Regularization noise, long seed) {
    return create(architecture, shape, noise, seed, Model.newInstance(architecture));
  }

  public static Network create(String architecture, ModelShape shape, Regularization noise, long seed, Device device) {
    return create(architecture, shape, noise, seed, Model.newInstance(architecture, device));
  }

  private static Network create(String architecture, ModelShape shape, Regularization noise, long seed, Model model) {
    Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
    Block block = Architectures.build(architecture, shape, noise);
    model.setBlock(block);
    block.initialize(model.getNDManager(), DataType.FLOAT32, inputShape(shape, 1));
    return new Network(architecture, shape, noise, model);
  }

  /**
   * Another instance of this network on {@code device}, with a copy of its parameters (batch-norm
   * running statistics included): a data-parallel replica. Reseeds the engine, as {@link #create}.
   */
  @Override
  public Network replica(Device device) {
    Network replica = create(architecture, shape, noise, 0, device);
    try {
      replica.copyParametersFrom(this);
    } catch (RuntimeException e) {
      replica.close();
      throw e;
    }
    return replica;
  }

  /** Overwrites every parameter with {@code source}'s, device to device (no trip through the host). */
  public void copyParametersFrom(Network source) {
    // An in-place write to a parameter that requires gradients is refused while autograd records.
    GradMode.off();
    List<Parameter> from = source.parameters();
    List<Parameter> to = parameters();
    if (from.size() != to.size()) {
      throw new IllegalArgumentException(source.architecture + " has " + from.size() + " parameters, "
          + architecture + " " + to.size());
    }
    for (int i = 0; i < to.size(); i++) {
      NDArray target = to.get(i).getArray();
      try (NDArray value = from.get(i).getArray().toDevice(target.getDevice(), true)) {
        target.set(EVERYTHING, value);
      }
    }
    parametersChanged();
  }

  @Override
  public Device device() {
    return model.getNDManager().getDevice();
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

  @Override
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
    parametersChanged();
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
   * count x classes floats. Inference mode (batch-norm running statistics, no dropout), on the
   * inference copy with batch-norm folded into the convolutions, folded on first use after the
   * parameters last changed.
   */
  @Override
  public float[] probabilities(float[] images, int count) {
    return inference().probabilities(images, count);
  }

  /** As {@link #probabilities(float[], int)}, for 8-bit images normalised by the engine. */
  @Override
  public float[] probabilities(PixelBatch images, InputNormalisation normalisation) {
    return inference().probabilities(images, normalisation);
  }

  /** The inference copy of the current parameters (owned by this network: do not close it). */
  public InferenceNetwork inference() {
    if (inference == null) {
      inference = foldedCopy(InferenceNetwork.WeightLayout.CHANNELS_LAST);
    }
    return inference;
  }

  /** A new inference copy with the weights in {@code layout} (the benchmark's NCHW one: its caller closes it). */
  public InferenceNetwork foldedCopy(InferenceNetwork.WeightLayout layout) {
    return InferenceNetwork.fold(block(), shape, model.getNDManager(), layout);
  }

  /**
   * Drops the inference copy: whoever changes the parameters in place (the optimizer's step, a
   * checkpoint load) calls this, so the next scoring folds the new values.
   */
  public void parametersChanged() {
    if (inference != null) {
      inference.close();
      inference = null;
    }
  }

  @Override
  public void close() {
    parametersChanged();
    model.close();
  }
}
