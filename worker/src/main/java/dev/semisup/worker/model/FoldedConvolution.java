package dev.semisup.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A convolution followed by inference-mode batch-norm, as one convolution: with
 * s = gamma / sqrt(runningVar + eps), BN(conv(x, W) + b) = conv(x, W * s) + (b - runningMean) * s + beta.
 * One pass over the activations instead of two. Holds its own copies of the folded weight and
 * bias: a snapshot of the parameters when it was folded, for inference only.
 *
 * <p>The folded weight is laid out channels-last (output, kernel rows, kernel columns, input
 * channels in memory; the same logical shape). libtorch then runs the convolution in that layout,
 * and its output is channels-last too, so every convolution after it stays there instead of
 * reordering NCHW activations for oneDNN on each call (what that gains on CPU: bench/README.md,
 * "Model throughput"), with the same outputs up to float rounding.
 */
final class FoldedConvolution extends AbstractBlock {

  private final NDArray weight;
  private final NDArray bias;
  private final Shape stride;
  private final Shape padding;
  private final Shape dilation;
  private final int groups;
  private final Shape kernel;
  private final int filters;

  private FoldedConvolution(Convolution conv, NDArray weight, NDArray bias) {
    this.weight = weight;
    this.bias = bias;
    this.stride = conv.getStride();
    this.padding = conv.getPadding();
    this.dilation = conv.getDilation();
    this.groups = conv.getGroups();
    this.kernel = conv.getKernelShape();
    this.filters = conv.getFilters();
  }

  /** Folds {@code norm} (built with epsilon {@code epsilon}) into {@code conv}; arrays live in {@code manager}. */
  static FoldedConvolution of(Conv2d conv, BatchNorm norm, float epsilon, NDManager manager,
      InferenceNetwork.WeightLayout layout) {
    try (NDManager scratch = manager.newSubManager()) {
      NDArray w = copyInto(scratch, conv.getParameters().get("weight").getArray());
      NDArray gamma = copyInto(scratch, norm.getParameters().get("gamma").getArray());
      NDArray beta = copyInto(scratch, norm.getParameters().get("beta").getArray());
      NDArray mean = copyInto(scratch, norm.getParameters().get("runningMean").getArray());
      NDArray variance = copyInto(scratch, norm.getParameters().get("runningVar").getArray());
      NDArray scale = gamma.div(variance.add(epsilon).sqrt());
      NDArray shift = conv.isIncludeBias()
          ? copyInto(scratch, conv.getParameters().get("bias").getArray()).sub(mean) : mean.neg();
      NDArray weight = w.mul(scale.reshape(w.getShape().get(0), 1, 1, 1));
      if (layout == InferenceNetwork.WeightLayout.CHANNELS_LAST) {
        weight = channelsLast(weight);
      }
      NDArray bias = shift.mul(scale).add(beta);
      // Out of the scratch manager (closed below with the intermediates) into the folded network's.
      weight.attach(manager);
      bias.attach(manager);
      return new FoldedConvolution(conv, weight, bias);
    }
  }

  /**
   * {@code weight} (O, I, kh, kw) copied into memory ordered O, kh, kw, I, and viewed as O, I, kh,
   * kw again. The copy is libtorch's own (flattening the permuted view), not one made from Java
   * values: such an array's memory is a Java buffer held by that array alone, which a view of it
   * would outlive (its values turned to garbage in InferenceNetworkTest).
   */
  private static NDArray channelsLast(NDArray weight) {
    Shape shape = weight.getShape();
    return weight.transpose(0, 2, 3, 1).flatten().reshape(shape.get(0), shape.get(2), shape.get(3), shape.get(1))
        .transpose(0, 3, 1, 2);
  }

  /** A copy of a model parameter owned by {@code scratch}, so every result computed from it is too. */
  private static NDArray copyInto(NDManager scratch, NDArray parameter) {
    NDArray copy = parameter.duplicate();
    copy.attach(scratch);
    return copy;
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return Conv2d.conv2d(inputs.singletonOrThrow(), weight, bias, stride, padding, dilation, groups);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputs) {
    Shape in = inputs[0];
    long[] shape = new long[] {in.get(0), filters, 0, 0};
    for (int d = 0; d < 2; d++) {
      long span = dilation.get(d) * (kernel.get(d) - 1) + 1;
      shape[2 + d] = (in.get(2 + d) + 2 * padding.get(d) - span) / stride.get(d) + 1;
    }
    return new Shape[] {new Shape(shape)};
  }
}
