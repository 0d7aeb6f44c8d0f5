package dev.semisup.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.semisup.api.v1alpha1.Architecture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicatedScoringTest {

  @Test
  void batchesDealtToTwoReplicasComeBackInOrderWithTheOneNetworksProbabilities() {
    ModelShape shape = InferenceNetworkTest.SHAPE;
    try (Network network = Network.create(Architecture.CNN_SMALL, shape, Regularization.NONE, 3)) {
      InferenceNetworkTest.trainedLookingStatistics(network, 4);
      List<float[]> batches = new ArrayList<>();
      List<float[]> expected = new ArrayList<>();
      for (int b = 0; b < 7; b++) {
        batches.add(InferenceNetworkTest.images(3 + b, 100 + b));
        expected.add(network.probabilities(batches.get(b), 3 + b));
      }
      List<Integer> order = new ArrayList<>();
      List<float[]> got = new ArrayList<>();
      try (ReplicatedScoring scoring = ReplicatedScoring.over(network, List.of(Device.cpu(), Device.cpu()))) {
        assertThat(scoring.replicas()).isEqualTo(2);
        float[] buffer = new float[10 * shape.pixels()];
        for (int b = 0; b < 7; b++) {
          // One buffer refilled for every batch, as infer does: a batch in flight must not see the next.
          System.arraycopy(batches.get(b), 0, buffer, 0, batches.get(b).length);
          int index = b;
          scoring.score(buffer, 3 + b, probabilities -> {
            order.add(index);
            got.add(probabilities);
          });
          assertThat(order.size()).as("at most one batch per replica in flight").isGreaterThanOrEqualTo(b - 1);
        }
        scoring.finish();
      }
      assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6);
      for (int b = 0; b < 7; b++) {
        assertThat(got.get(b)).as("batch %d", b).containsExactly(expected.get(b));
      }
    }
  }

  @Test
  void theFirstDeviceMustHoldTheNetwork() {
    try (Network network = Network.create(Architecture.CNN_SMALL, InferenceNetworkTest.SHAPE, Regularization.NONE, 3)) {
      assertThatThrownBy(() -> ReplicatedScoring.over(network, List.of(Device.gpu(1))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gpu(1)");
    }
  }
}
