package dev.semisup.worker.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import dev.semisup.api.v1alpha1.Architecture;

/**
 * Builds the networks a spec names. The cnn-* family is hand-built for 28-32 px images because
 * DJL's generic ResNet is several times slower on CPU at that size; resnet18/50 follow He et al.
 * with a 3x3 stem instead of 7x7 + max-pool when images are small (CIFAR-style).
 */
public final class Architectures {

  /** Every batch-norm's epsilon (DJL's default), named so the inference copy folds with the same one. */
  static final float BATCH_NORM_EPSILON = 1e-5f;

  private Architectures() {
  }

  public static Block build(String name, ModelShape shape, Regularization noise) {
    return switch (name) {
      case Architecture.CNN_SMALL -> cnn(shape, noise, new int[] {32, 64, 128}, false);
      case Architecture.CNN_LARGE -> cnn(shape, noise, new int[] {64, 128, 256}, true);
      case Architecture.RESNET18 -> resnet(shape, noise, new int[] {2, 2, 2, 2}, false);
      case Architecture.RESNET50 -> resnet(shape, noise, new int[] {3, 4, 6, 3}, true);
      default -> throw new IllegalArgumentException("unknown architecture '" + name + "': one of " + Architecture.NAMES);
    };
  }

  /**
   * conv-pool stages; the large variant adds a residual block at each stage so it is both wider
   * and deeper (a teacher larger than the student).
   */
  private static Block cnn(ModelShape shape, Regularization noise, int[] widths, boolean residual) {
    SequentialBlock net = new SequentialBlock();
    for (int stage = 0; stage < widths.length; stage++) {
      net.add(convBnRelu(widths[stage], 1));
      if (residual) {
        float drop = noise.stochasticDepth() * (stage + 1) / widths.length;
        net.add(new ResidualBlock(basicBranch(widths[stage], 1), Blocks.identityBlock(), drop));
      }
      if (stage < widths.length - 1) {
        net.add(Pool.maxPool2dBlock(new Shape(2, 2)));
      }
    }
    return head(net, shape, noise);
  }

  private static Block resnet(ModelShape shape, Regularization noise, int[] blocks, boolean bottleneck) {
    SequentialBlock net = new SequentialBlock();
    if (shape.size() <= 64) {
      net.add(convBnRelu(64, 1));
    } else {
      net.add(conv(64, 7, 2, 3)).add(batchNorm()).add(Activation.reluBlock())
          .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
    }
    int total = 0;
    for (int count : blocks) {
      total += count;
    }
    int index = 0;
    int inWidth = 64;
    for (int stage = 0; stage < blocks.length; stage++) {
      int width = 64 << stage;
      int outWidth = bottleneck ? width * 4 : width;
      for (int b = 0; b < blocks[stage]; b++) {
        int stride = stage > 0 && b == 0 ? 2 : 1;
        float drop = noise.stochasticDepth() * (++index) / total;
        Block branch = bottleneck ? bottleneckBranch(width, stride) : basicBranch(width, stride);
        Block shortcut = stride == 1 && inWidth == outWidth
            ? Blocks.identityBlock()
            : new SequentialBlock().add(conv(outWidth, 1, stride, 0)).add(batchNorm());
        net.add(new ResidualBlock(branch, shortcut, drop));
        inWidth = outWidth;
      }
    }
    return head(net, shape, noise);
  }

  private static Block head(SequentialBlock net, ModelShape shape, Regularization noise) {
    net.add(Pool.globalAvgPool2dBlock());
    if (noise.dropout() > 0) {
      net.add(Dropout.builder().optRate(noise.dropout()).build());
    }
    net.add(Linear.builder().setUnits(shape.classes()).build());
    return net;
  }

  private static Block basicBranch(int width, int stride) {
    return new SequentialBlock()
        .add(conv(width, 3, stride, 1)).add(batchNorm()).add(Activation.reluBlock())
        .add(conv(width, 3, 1, 1)).add(batchNorm());
  }

  private static Block bottleneckBranch(int width, int stride) {
    return new SequentialBlock()
        .add(conv(width, 1, 1, 0)).add(batchNorm()).add(Activation.reluBlock())
        .add(conv(width, 3, stride, 1)).add(batchNorm()).add(Activation.reluBlock())
        .add(conv(width * 4, 1, 1, 0)).add(batchNorm());
  }

  private static Block convBnRelu(int width, int stride) {
    return new SequentialBlock().add(conv(width, 3, stride, 1)).add(batchNorm()).add(Activation.reluBlock());
  }

  private static BatchNorm batchNorm() {
    return BatchNorm.builder().optEpsilon(BATCH_NORM_EPSILON).build();
  }

  private static Block conv(int filters, int kernel, int stride, int padding) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(padding, padding))
        .optBias(false)
        .build();
  }
}
