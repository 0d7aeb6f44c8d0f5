package dev.semisup.worker.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.TrainingExample;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Batches augmented ahead of the step on other threads: the same batches (pixels, targets,
 * positions) as augmenting them in turn on the loop's own thread, for any number of threads; an
 * image that fails augmentation fails its batch with its own exception; and the pass is never
 * read more than the batches in flight ahead of the consumer.
 */
class AugmentedBatchesTest {

  private static final int BATCH = 16;
  private static final int PIXELS = 64;
  private static final int CLASSES = 3;
  /** Random crops, flips and jitter: every image draws from its batch's generator. */
  private static final Augmentation STRONG = new Augmentation(Augmentation.Strength.STRONG, new ImageGeometry(1, 8),
      new double[] {0.5}, new double[] {0.25}, true);
  private static final PixelTransform AUGMENT = (image, out, offset, random) -> STRONG.apply(image, random, out, offset);

  private final List<ExecutorService> pools = new ArrayList<>();

  @AfterEach
  void stopThreads() {
    pools.forEach(ExecutorService::shutdownNow);
  }

  private ExecutorService threads(int count) {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    pools.add(pool);
    return pool;
  }

  private static long seedOf(int batch) {
    return 1_000L * batch + 7;
  }

  /** What the loop did before: each batch augmented on its own thread, in turn. */
  private static List<float[]> inTurn(TrainingSet examples, int firstBatch, long position) throws IOException {
    List<float[]> batches = new ArrayList<>();
    try (TrainingSet.Pass pass = examples.epoch(5, 0, position)) {
      for (int batch = firstBatch; ; batch++) {
        Random random = new Random(seedOf(batch));
        float[] images = new float[BATCH * PIXELS];
        float[] targets = new float[BATCH * CLASSES];
        int count = 0;
        for (TrainingExample example; count < BATCH && (example = pass.next()) != null; count++) {
          AUGMENT.apply(example.image(), images, count * PIXELS, random);
          example.writeTarget(targets, count * CLASSES, CLASSES);
        }
        if (count == 0) {
          return batches;
        }
        batches.add(concat(Arrays.copyOf(images, count * PIXELS), Arrays.copyOf(targets, count * CLASSES),
            new float[] {pass.position()}));
      }
    }
  }

  private List<float[]> ahead(TrainingSet examples, int threads, int ahead, int firstBatch, long position)
      throws IOException {
    List<float[]> batches = new ArrayList<>();
    try (TrainingSet.Pass pass = examples.epoch(5, 0, position);
         AugmentedBatches augmented = new AugmentedBatches(pass, AUGMENT, threads(threads), ahead,
             AugmentedBatchesTest::seedOf, firstBatch, BATCH, PIXELS, CLASSES)) {
      for (AugmentedBatches.Batch batch; (batch = augmented.next()) != null; ) {
        batches.add(concat(Arrays.copyOf(batch.images(), batch.count() * PIXELS),
            Arrays.copyOf(batch.targets(), batch.count() * CLASSES), new float[] {batch.positionAfter()}));
      }
    }
    return batches;
  }

  private static float[] concat(float[]... parts) {
    float[] all = new float[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
    int at = 0;
    for (float[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  @Test
  void theBatchesAreTheSameOnAnyNumberOfThreads() throws IOException {
    Examples examples = TrainingLoopTest.bands(17, 2); // 51 images: batches of 16, 16, 16 and 3
    List<float[]> reference = inTurn(examples, 0, 0);
    assertThat(reference).hasSize(4);
    assertThat(reference.get(3)).hasSize(3 * PIXELS + 3 * CLASSES + 1);
    for (int threads : new int[] {1, 2, 4}) {
      for (int ahead : new int[] {1, 3, 8}) {
        assertThat(ahead(examples, threads, ahead, 0, 0)).as("%d threads, %d ahead", threads, ahead)
            .containsExactlyElementsOf(reference);
      }
    }
  }

  @Test
  void aResumedEpochGoesOnWithTheSeedsAndPositionsOfTheUninterruptedOne() throws IOException {
    Examples examples = TrainingLoopTest.bands(17, 2);
    List<float[]> whole = inTurn(examples, 0, 0);
    assertThat(ahead(examples, 3, 2, 2, 32)).containsExactlyElementsOf(whole.subList(2, 4));
  }

  @Test
  void anImageThatCannotBeAugmentedFailsItsBatchWithItsOwnException() throws IOException {
    Examples examples = TrainingLoopTest.bands(17, 2);
    PixelTransform failsOnOne = (image, out, offset, random) -> {
      if (image.ordinal() == 20) {
        throw new IllegalArgumentException("image " + image.key() + " is 3x9x9");
      }
      AUGMENT.apply(image, out, offset, random);
    };
    try (TrainingSet.Pass pass = examples.epoch(5, 0, 0);
         AugmentedBatches augmented = new AugmentedBatches(pass, failsOnOne, threads(2), 2,
             AugmentedBatchesTest::seedOf, 0, BATCH, PIXELS, CLASSES)) {
      // The epoch's order is shuffled: the failing image is in whichever batch it lands in.
      assertThatThrownBy(() -> {
        while (augmented.next() != null) {
          // consume
        }
      }).isInstanceOf(IllegalArgumentException.class).hasMessage("image band-20 is 3x9x9");
    }
  }

  @Test
  void theConsumerIsNeverMoreThanTheBatchesAheadBehindThePass() throws IOException {
    Examples examples = TrainingLoopTest.bands(100, 2); // 300 images, 19 batches
    int ahead = 2;
    try (TrainingSet.Pass pass = examples.epoch(5, 0, 0);
         AugmentedBatches augmented = new AugmentedBatches(pass, AUGMENT, threads(4), ahead,
             AugmentedBatchesTest::seedOf, 0, BATCH, PIXELS, CLASSES)) {
      long consumed = 0;
      List<float[]> arrays = new ArrayList<>();
      for (AugmentedBatches.Batch batch; (batch = augmented.next()) != null; ) {
        consumed += batch.count();
        assertThat(pass.position() - consumed).isLessThanOrEqualTo((long) ahead * BATCH);
        float[] images = batch.images();
        if (arrays.stream().noneMatch(seen -> seen == images)) {
          arrays.add(images);
        }
      }
      assertThat(consumed).isEqualTo(300);
      // The lent batch and those in flight: the arrays are reused, not one per batch.
      assertThat(arrays).hasSizeLessThanOrEqualTo(ahead + 1);
    }
  }

  @Test
  void trainingEndsWithTheSameParametersOnOneOrThreeAugmentingThreads() throws IOException {
    byte[] one;
    try (Network network = Network.create("cnn-small", TrainingLoopTest.SHAPE, Regularization.NONE, 7)) {
      new TrainingLoop(network, TrainingLoopTest.spec(2), AUGMENT, List.of(network.device()), 1)
          .fit(TrainingLoopTest.bands(20, 1), new TrainingLoopTest.MemoryCheckpoints(), TrainingLoopTest.QUIET);
      one = network.parameterBytes();
    }
    try (Network network = Network.create("cnn-small", TrainingLoopTest.SHAPE, Regularization.NONE, 7)) {
      new TrainingLoop(network, TrainingLoopTest.spec(2), AUGMENT, List.of(network.device()), 3)
          .fit(TrainingLoopTest.bands(20, 1), new TrainingLoopTest.MemoryCheckpoints(), TrainingLoopTest.QUIET);
      assertThat(network.parameterBytes()).isEqualTo(one);
    }
  }
}
