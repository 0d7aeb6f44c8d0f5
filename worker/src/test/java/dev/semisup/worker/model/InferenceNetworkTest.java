package dev.semisup.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.semisup.api.v1alpha1.Architecture;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class InferenceNetworkTest {

  static final ModelShape SHAPE = new ModelShape(3, 8, 5);

  /**
   * Batch-norm statistics far from their initial (identity) values, so a wrong fold (scale
   * without shift, variance without epsilon, a transposed scale) shows in the outputs.
   */
  static void trainedLookingStatistics(Network network, long seed) {
    Random random = new Random(seed);
    for (Pair<String, Parameter> pair : network.block().getParameters()) {
      String name = pair.getKey();
      float[] values = new float[(int) pair.getValue().getArray().size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = name.endsWith("runningVar") ? 0.05f + random.nextFloat() * 3
            : name.endsWith("gamma") ? 0.3f + random.nextFloat() * 1.5f
            : (float) random.nextGaussian() * 0.5f;
      }
      if (name.endsWith("runningVar") || name.endsWith("runningMean") || name.endsWith("beta") || name.endsWith("gamma")) {
        pair.getValue().getArray().set(values);
      }
    }
    network.parametersChanged();
  }

  static float[] images(int count, long seed) {
    Random random = new Random(seed);
    float[] images = new float[count * SHAPE.pixels()];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextGaussian();
    }
    return images;
  }

  /** The network's own forward in inference mode: batch-norm as a separate step. */
  static float[] unfoldedLogits(Network network, float[] images, int count) {
    GradMode.off();
    try (NDManager batch = network.model().getNDManager().newSubManager()) {
      return network.block().forward(new ParameterStore(batch, false),
          new NDList(batch.create(images, Network.inputShape(network.shape(), count))), false).singletonOrThrow().toFloatArray();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {Architecture.CNN_SMALL, Architecture.CNN_LARGE, Architecture.RESNET18, Architecture.RESNET50})
  void foldedNetworkGivesTheUnfoldedOutputs(String architecture) {
    // Stochastic depth scales residual branches at inference: the folded copy must keep that too.
    try (Network network = Network.create(architecture, SHAPE, new Regularization(0.1f, 0.2f), 3)) {
      trainedLookingStatistics(network, 11);
      float[] images = images(6, 5);
      float[] expected = unfoldedLogits(network, images, 6);
      float scale = 0;
      for (float value : expected) {
        scale = Math.max(scale, Math.abs(value));
      }
      assertThat(scale).as("logits far from zero, so the comparison means something").isGreaterThan(0.1f);
      // Scoring's own copy (channels-last weights) and one with NCHW weights: the layout changes no value.
      try (InferenceNetwork nchw = network.foldedCopy(InferenceNetwork.WeightLayout.NCHW)) {
        for (InferenceNetwork copy : List.of(network.inference(), nchw)) {
          float[] folded = copy.logits(images, 6);
          assertThat(folded).hasSameSizeAs(expected);
          for (int i = 0; i < expected.length; i++) {
            assertThat(folded[i]).as("logit %d", i).isCloseTo(expected[i], within(1e-4f * Math.max(1f, scale)));
          }
        }
      }
    }
  }

  @Test
  void everyBatchNormAfterAConvolutionIsFoldedAway() {
    try (Network network = Network.create(Architecture.RESNET18, SHAPE, Regularization.NONE, 3)) {
      int norms = count(network.block(), BatchNorm.class);
      Block folded = network.inference().block();
      assertThat(norms).isEqualTo(20);
      assertThat(count(folded, BatchNorm.class)).isZero();
      assertThat(count(folded, FoldedConvolution.class)).isEqualTo(norms);
    }
  }

  @Test
  void maxPoolingRunsBeforeTheReluThatPrecededIt() {
    try (Network network = Network.create(Architecture.CNN_SMALL, SHAPE, Regularization.NONE, 3)) {
      // cnn-small: [conv bn relu] pool [conv bn relu] pool [conv bn relu] avg-pool linear.
      List<String> steps = network.inference().block().getChildren().values().stream()
          .map(b -> b instanceof LambdaBlock lambda ? lambda.getName() : b.getClass().getSimpleName()).toList();
      assertThat(steps).containsExactly("FoldedConvolution", "maxPool2d", "ReLU", "FoldedConvolution", "maxPool2d", "ReLU",
          "FoldedConvolution", "ReLU", "globalAvgPool2d", "Linear");
    }
  }

  @Test
  void scoringFollowsChangedParameters() throws Exception {
    try (Network network = Network.create(Architecture.CNN_SMALL, SHAPE, Regularization.NONE, 3);
         Network other = Network.create(Architecture.CNN_SMALL, SHAPE, Regularization.NONE, 4)) {
      trainedLookingStatistics(other, 12);
      float[] images = images(4, 6);
      float[] before = network.probabilities(images, 4);
      network.loadParameters(other.parameterBytes(), "other");
      float[] after = network.probabilities(images, 4);
      assertThat(after).isNotEqualTo(before);
      float[] expected = other.probabilities(images, 4);
      for (int i = 0; i < expected.length; i++) {
        assertThat(after[i]).isCloseTo(expected[i], within(1e-5f));
      }
    }
  }

  private static int count(Block block, Class<?> type) {
    int found = type.isInstance(block) ? 1 : 0;
    for (Block child : block.getChildren().values()) {
      found += count(child, type);
    }
    return found;
  }
}
