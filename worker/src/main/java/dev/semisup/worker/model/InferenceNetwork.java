package dev.semisup.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.List;

/**
 * The inference copy of a trained network: every convolution followed by a batch-norm becomes one
 * convolution whose weight and bias absorb the batch-norm's scale and shift ({@link FoldedConvolution}),
 * so scoring makes one pass over each layer's activations where training makes two. Outputs equal
 * the network's own inference-mode outputs up to float rounding. The folded weights are a snapshot:
 * the {@link Network} drops its copy whenever its parameters change. Blocks that need no folding
 * (linear, pooling, activations) are shared with the network, not copied.
 */
public final class InferenceNetwork implements AutoCloseable {

  private final ModelShape shape;
  private final NDManager manager;
  private final Block block;

  private InferenceNetwork(ModelShape shape, NDManager manager, Block block) {
    this.shape = shape;
    this.manager = manager;
    this.block = block;
  }

  /** Folds {@code trained}; the folded arrays live in a sub-manager of {@code parent}. */
  static InferenceNetwork fold(Block trained, ModelShape shape, NDManager parent) {
    // Folding must not record autograd history: the folded weights would keep the graph alive.
    GradMode.off();
    NDManager manager = parent.newSubManager();
    try {
      return new InferenceNetwork(shape, manager, fold(trained, manager));
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static Block fold(Block block, NDManager manager) {
    if (block instanceof SequentialBlock sequence) {
      SequentialBlock folded = new SequentialBlock();
      List<Block> children = sequence.getChildren().values();
      for (int i = 0; i < children.size(); i++) {
        Block child = children.get(i);
        if (child instanceof Conv2d conv && i + 1 < children.size() && children.get(i + 1) instanceof BatchNorm norm) {
          folded.add(FoldedConvolution.of(conv, norm, Architectures.BATCH_NORM_EPSILON, manager));
          i++;
        } else {
          folded.add(fold(child, manager));
        }
      }
      return folded;
    }
    if (block instanceof ResidualBlock residual) {
      return residual.withParts(fold(residual.branch(), manager), fold(residual.shortcut(), manager));
    }
    return block;
  }

  /**
   * Class probabilities (softmax) for {@code count} images laid out in {@code images}; returns
   * count x classes floats.
   */
  public float[] probabilities(float[] images, int count) {
    return scores(images, count, true);
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
      NDArray input = batch.create(exact, Network.inputShape(shape, count));
      NDArray logits = block.forward(new ParameterStore(batch, false), new NDList(input), false).singletonOrThrow();
      return (softmax ? logits.softmax(1) : logits).toFloatArray();
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
