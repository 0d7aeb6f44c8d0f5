package dev.semisup.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The inference copy of a trained network: every convolution followed by a batch-norm becomes one
 * convolution whose weight and bias absorb the batch-norm's scale and shift ({@link FoldedConvolution}),
 * so scoring makes one pass over each layer's activations where training makes two; and a ReLU
 * followed by a max-pool runs after it instead, on a quarter of the values. Outputs equal
 * the network's own inference-mode outputs up to float rounding. The folded weights are a snapshot:
 * the {@link Network} drops its copy whenever its parameters change. Blocks that need no folding
 * (linear, pooling, activations) are shared with the network, not copied.
 */
public final class InferenceNetwork implements AutoCloseable {

  /**
   * How the folded convolution weights are laid out in memory. Channels-last is what scoring
   * uses; NCHW (libtorch's default) is kept so the benchmark can measure the difference.
   */
  public enum WeightLayout {
    CHANNELS_LAST, NCHW
  }

  /** The names DJL gives {@code Activation.reluBlock()} and {@code Pool.maxPool2dBlock(...)}. */
  private static final String RELU = "ReLU";
  private static final String MAX_POOL = "maxPool2d";

  private final ModelShape shape;
  private final NDManager manager;
  private final Block block;

  private InferenceNetwork(ModelShape shape, NDManager manager, Block block) {
    this.shape = shape;
    this.manager = manager;
    this.block = block;
  }

  /** Folds {@code trained}; the folded arrays live in a sub-manager of {@code parent}. */
  static InferenceNetwork fold(Block trained, ModelShape shape, NDManager parent, WeightLayout layout) {
    // Folding must not record autograd history: the folded weights would keep the graph alive.
    GradMode.off();
    NDManager manager = parent.newSubManager();
    try {
      return new InferenceNetwork(shape, manager, fold(trained, manager, layout));
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static Block fold(Block block, NDManager manager, WeightLayout layout) {
    if (block instanceof SequentialBlock sequence) {
      SequentialBlock folded = new SequentialBlock();
      folded.addAll(foldedSteps(sequence, manager, layout));
      return folded;
    }
    if (block instanceof ResidualBlock residual) {
      return residual.withParts(fold(residual.branch(), manager, layout), fold(residual.shortcut(), manager, layout));
    }
    return block;
  }

  /**
   * The sequence's steps, folded, with nested sequences flattened into it (a sequence of
   * sequences computes the same as one) so that a ReLU ending one and the max-pool starting the
   * next meet: max-pooling before the ReLU gives the same values (ReLU is monotonic: the max of
   * the ReLUs is the ReLU of the max) and runs the ReLU on a quarter of the values.
   */
  private static List<Block> foldedSteps(SequentialBlock sequence, NDManager manager, WeightLayout layout) {
    List<Block> children = sequence.getChildren().values();
    List<Block> steps = new ArrayList<>();
    for (int i = 0; i < children.size(); i++) {
      Block child = children.get(i);
      if (child instanceof Conv2d conv && i + 1 < children.size() && children.get(i + 1) instanceof BatchNorm norm) {
        steps.add(FoldedConvolution.of(conv, norm, Architectures.BATCH_NORM_EPSILON, manager, layout));
        i++;
      } else if (child instanceof SequentialBlock nested) {
        steps.addAll(foldedSteps(nested, manager, layout));
      } else {
        steps.add(fold(child, manager, layout));
      }
    }
    for (int i = 0; i + 1 < steps.size(); i++) {
      if (isLambda(steps.get(i), RELU) && isLambda(steps.get(i + 1), MAX_POOL)) {
        Collections.swap(steps, i, i + 1);
        i++;
      }
    }
    return steps;
  }

  private static boolean isLambda(Block block, String name) {
    return block instanceof LambdaBlock lambda && name.equals(lambda.getName());
  }

  /**
   * Class probabilities (softmax) for {@code count} images laid out in {@code images}; returns
   * count x classes floats.
   */
  public float[] probabilities(float[] images, int count) {
    return scores(images, count, true);
  }

  /** As {@link #probabilities(float[], int)}, for 8-bit images normalised by the engine. */
  public float[] probabilities(PixelBatch images, InputNormalisation normalisation) {
    GradMode.off();
    try (NDManager batch = manager.newSubManager()) {
      return forward(batch, normalisation.input(batch, images, shape)).softmax(1).toFloatArray();
    }
  }

  /** The classifier's outputs before the softmax (for tests: a softmax can hide differences). */
  float[] logits(float[] images, int count) {
    return scores(images, count, false);
  }

  Block block() {
    return block;
  }

  private float[] scores(float[] images, int count, boolean softmax) {
    GradMode.off();
    try (NDManager batch = manager.newSubManager()) {
      float[] exact = images.length == count * shape.pixels() ? images : Arrays.copyOf(images, count * shape.pixels());
      NDArray logits = forward(batch, batch.create(exact, Network.inputShape(shape, count)));
      return (softmax ? logits.softmax(1) : logits).toFloatArray();
    }
  }

  private NDArray forward(NDManager batch, NDArray input) {
    return block.forward(new ParameterStore(batch, false), new NDList(input), false).singletonOrThrow();
  }

  @Override
  public void close() {
    manager.close();
  }
}
