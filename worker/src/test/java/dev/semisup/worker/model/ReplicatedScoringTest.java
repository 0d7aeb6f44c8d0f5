package dev.semisup.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.semisup.api.v1alpha1.Architecture;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReplicatedScoringTest {

  private static final InputNormalisation NORMALISATION =
      new InputNormalisation(new float[] {0.4f, 0.5f, 0.6f}, new float[] {0.2f, 0.25f, 0.3f});

  @Test
  void batchesDealtToTwoReplicasComeBackInOrderWithTheOneNetworksProbabilities() {
    ModelShape shape = InferenceNetworkTest.SHAPE;
    try (Network network = Network.create(Architecture.CNN_SMALL, shape, Regularization.NONE, 3)) {
      InferenceNetworkTest.trainedLookingStatistics(network, 4);
      List<byte[][]> batches = new ArrayList<>();
      List<float[]> expected = new ArrayList<>();
      for (int b = 0; b < 7; b++) {
        batches.add(pixels(3 + b, shape.pixels(), 100 + b));
        PixelBatch alone = new PixelBatch(10, shape.pixels());
        for (byte[] image : batches.get(b)) {
          alone.add(image);
        }
        expected.add(network.probabilities(alone, NORMALISATION));
      }
      List<Integer> order = new ArrayList<>();
      List<float[]> got = new ArrayList<>();
      try (ReplicatedScoring scoring = ReplicatedScoring.over(network, List.of(Device.cpu(), Device.cpu()),
          NORMALISATION, 10)) {
        assertThat(scoring.replicas()).isEqualTo(2);
        for (int b = 0; b < 7; b++) {
          for (byte[] image : batches.get(b)) {
            scoring.batch().add(image);
          }
          int index = b;
          scoring.score(probabilities -> {
            order.add(index);
            got.add(probabilities);
          });
          assertThat(scoring.inFlight()).as("at most one batch per replica in flight").isLessThanOrEqualTo(2);
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
  void theNextBatchIsFilledWhileTheModelScoresThisOne() throws Exception {
    SlowScorer model = new SlowScorer();
    try (ReplicatedScoring scoring = ReplicatedScoring.over(model, List.of(Device.cpu()), NORMALISATION, 4)) {
      PixelBatch first = scoring.batch();
      first.add(image(model, 7));
      scoring.score(probabilities -> { });
      assertThat(model.entered.await(10, TimeUnit.SECONDS)).as("the model started on the first batch").isTrue();

      // The model is still inside its forward pass (blocked): the caller already fills the next batch.
      PixelBatch second = scoring.batch();
      assertThat(second).isNotSameAs(first);
      second.add(image(model, 9));
      assertThat(model.finished).isZero();

      model.release.countDown();
      scoring.score(probabilities -> { });
      scoring.finish();
      assertThat(model.seen).containsExactly(7, 9);
    }
  }

  @Test
  void batchesAreReusedAndABatchInFlightIsNeverRefilled() {
    SlowScorer model = new SlowScorer();
    model.release.countDown();
    Set<PixelBatch> used = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Integer> handedBack = new ArrayList<>();
    try (ReplicatedScoring scoring = ReplicatedScoring.over(model, List.of(Device.cpu(), Device.cpu()),
        NORMALISATION, 4)) {
      for (int b = 0; b < 12; b++) {
        PixelBatch batch = scoring.batch();
        used.add(batch);
        for (int i = 0; i < 4; i++) {
          batch.add(image(model, b));
        }
        scoring.score(probabilities -> handedBack.add((int) probabilities[0]));
        assertThat(scoring.inFlight()).isLessThanOrEqualTo(2);
      }
      scoring.finish();
    }
    assertThat(used).as("one batch per replica in flight and one being filled, whatever the pass's length").hasSize(3);
    // Each replica saw its batch unchanged while it scored: what it read first is what it read last.
    assertThat(model.seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(model.changedWhileScored).isZero();
    assertThat(handedBack).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  }

  @Test
  void theFirstDeviceMustHoldTheNetwork() {
    try (Network network = Network.create(Architecture.CNN_SMALL, InferenceNetworkTest.SHAPE, Regularization.NONE, 3)) {
      assertThatThrownBy(() -> ReplicatedScoring.over(network, List.of(Device.gpu(1)), NORMALISATION, 4))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gpu(1)");
    }
  }

  private static byte[][] pixels(int count, int size, long seed) {
    Random random = new Random(seed);
    byte[][] images = new byte[count][size];
    for (byte[] image : images) {
      random.nextBytes(image);
    }
    return images;
  }

  private static byte[] image(PoolScorer model, int value) {
    byte[] image = new byte[model.shape().pixels()];
    java.util.Arrays.fill(image, (byte) value);
    return image;
  }

  /**
   * A model that takes its time: it waits for {@link #release}, then reads its batch twice with a
   * pause between, and scores each image by its first pixel (class 0 gets the pixel's value).
   */
  private static final class SlowScorer implements PoolScorer {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    volatile int finished;
    volatile int changedWhileScored;

    @Override
    public ModelShape shape() {
      return new ModelShape(3, 2, 2);
    }

    @Override
    public Device device() {
      return Device.cpu();
    }

    @Override
    public float[] probabilities(float[] images, int count) {
      throw new UnsupportedOperationException("infer hands 8-bit batches");
    }

    @Override
    public float[] probabilities(PixelBatch batch, InputNormalisation normalisation) {
      entered.countDown();
      try {
        assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
        ByteBuffer before = copy(batch.images());
        Thread.sleep(2);
        if (!before.equals(copy(batch.images()))) {
          changedWhileScored++;
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      ByteBuffer images = batch.images();
      int first = images.get(0);
      seen.add(first);
      float[] probabilities = new float[batch.count() * 2];
      for (int i = 0; i < batch.count(); i++) {
        probabilities[2 * i] = images.get(i * batch.imagePixels());
      }
      finished++;
      return probabilities;
    }

    private static ByteBuffer copy(ByteBuffer images) {
      ByteBuffer copy = ByteBuffer.allocate(images.remaining());
      copy.put(images.duplicate());
      return copy.flip();
    }

    @Override
    public PoolScorer replica(Device device) {
      return this;
    }

    @Override
    public void close() {
    }
  }
}
