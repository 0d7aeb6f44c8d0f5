package dev.semisup.worker.stages.infer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.model.InputNormalisation;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.PixelBatch;
import dev.semisup.worker.model.PoolScorer;
import dev.semisup.worker.model.ReplicatedScoring;
import dev.semisup.worker.progress.ProgressListener;
import dev.semisup.worker.progress.ProgressReporter;
import dev.semisup.worker.sampling.PerClassTopK;
import dev.semisup.worker.store.LocalDirectoryStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Infer reads and decodes the next batch while the teacher scores this one, and no further: a
 * model that will not finish its first batch until the whole second batch has been read proves
 * the overlap (scoring on the reading thread would never get there), and what the stream has
 * handed out when that first batch ends proves the bound.
 */
class InferOverlapTest {

  private static final int BATCH = 8;
  private static final ImageGeometry GEOMETRY = new ImageGeometry(3, 2);

  @TempDir
  Path progressDir;

  @Test
  void theNextBatchIsReadWhileTheTeacherScoresAndNoMore() throws Exception {
    CountingStream stream = new CountingStream(3 * BATCH + 3);
    WaitingTeacher teacher = new WaitingTeacher(stream);
    PoolScoring scoring;
    try (ReplicatedScoring replicas = ReplicatedScoring.over(teacher, List.of(Device.cpu()),
        new InputNormalisation(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}), BATCH)) {
      scoring = new PoolScoring(replicas, new PerClassTopK(2, 100), progress(), GEOMETRY, 2, 1);
      scoring.scoreAll(stream);
      scoring.awaitInFlight();
    }
    assertThat(teacher.sawSecondBatchRead).as("the second batch was read while the first was scored").isTrue();
    assertThat(teacher.readWhenFirstBatchEnded)
        .as("images read when the first batch's scoring ended: that batch and the next, not a third")
        .isEqualTo(2 * BATCH);
    assertThat(teacher.batchSizes).containsExactly(BATCH, BATCH, BATCH, 3);
    assertThat(scoring.scored).isEqualTo(3 * BATCH + 3);
    assertThat(scoring.topK.total()).isEqualTo(3 * BATCH + 3);
  }

  private ProgressReporter progress() {
    return new ProgressReporter(new LocalDirectoryStore(progressDir), "progress.json", "infer", 0, 1,
        ProgressListener.NONE, Clock.systemUTC(), Duration.ofHours(1));
  }

  /** Pool images of the teacher's geometry, counting how many it has handed out. */
  private static final class CountingStream implements ImageStream {
    final AtomicInteger read = new AtomicInteger();
    final CountDownLatch secondBatchRead = new CountDownLatch(1);
    private final int images;

    CountingStream(int images) {
      this.images = images;
    }

    @Override
    public ImageRecord next() {
      int ordinal = read.get();
      if (ordinal == images) {
        return null;
      }
      byte[] pixels = new byte[GEOMETRY.channels() * GEOMETRY.size() * GEOMETRY.size()];
      pixels[0] = (byte) ordinal;
      if (read.incrementAndGet() == 2 * BATCH) {
        secondBatchRead.countDown();
      }
      return new ImageRecord(ordinal, "image-" + ordinal, -1, GEOMETRY.channels(), GEOMETRY.size(), GEOMETRY.size(),
          pixels);
    }

    @Override
    public void close() {
    }
  }

  /** A teacher whose first batch lasts until the stream has handed out the second batch's images. */
  private static final class WaitingTeacher implements PoolScorer {
    private final CountingStream stream;
    final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    volatile boolean sawSecondBatchRead;
    volatile int readWhenFirstBatchEnded = -1;

    WaitingTeacher(CountingStream stream) {
      this.stream = stream;
    }

    @Override
    public ModelShape shape() {
      return new ModelShape(GEOMETRY.channels(), GEOMETRY.size(), 2);
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
      if (batchSizes.isEmpty()) {
        try {
          sawSecondBatchRead = stream.secondBatchRead.await(10, TimeUnit.SECONDS);
          // Time for a reader that ran ahead of the bound to show it.
          Thread.sleep(50);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        readWhenFirstBatchEnded = stream.read.get();
      }
      batchSizes.add(batch.count());
      float[] probabilities = new float[batch.count() * 2];
      for (int i = 0; i < batch.count(); i++) {
        probabilities[2 * i] = 0.75f;
        probabilities[2 * i + 1] = 0.25f;
      }
      return probabilities;
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
