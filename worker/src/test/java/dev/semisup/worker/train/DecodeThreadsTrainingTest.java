package dev.semisup.worker.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.v1alpha1.TrainingSpec;
import dev.semisup.worker.data.ExampleShard;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.packed.PackedShards;
import dev.semisup.worker.data.TrainingExample;
import dev.semisup.worker.data.pipeline.DecodeSettings;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.testing.PackedTars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The student's streamed training set (packed tar shards through the shuffle buffer) decoded on
 * 1, 2 and 4 threads: the same examples in the same order with the same positions, so the same
 * batches, and the same trained parameters; a run killed mid-epoch on 4 threads resumes to the
 * parameters of an uninterrupted one.
 */
class DecodeThreadsTrainingTest {

  private static final ImageGeometry GREY8 = new ImageGeometry(1, 8);
  private static final int CLASSES = 3;
  private static final int SAMPLES = 61;
  private static final int CORRUPT = 23;

  @TempDir
  Path dir;

  /** Three packed shards of TrainingLoopTest's band images; with {@code corrupt}, sample 23's PNG is broken. */
  private List<ExampleShard> packedBands(boolean corrupt) throws IOException {
    Random random = new Random(5);
    List<PackedTars.Sample> all = new ArrayList<>();
    for (int position = 0; position < SAMPLES; position++) {
      int label = position % CLASSES;
      byte[] png = corrupt && position == CORRUPT ? "not a png at all".getBytes(StandardCharsets.US_ASCII)
          : PackedTars.greyPng(TrainingLoopTest.bandImage(label, random), 8, 8);
      all.add(PackedTars.Sample.of(position, png, label, CLASSES, 0.8f));
    }
    int[] cuts = {0, 20, 45, SAMPLES};
    for (int shard = 0; shard < 3; shard++) {
      PackedTars.write(dir.resolve("packed/" + PackedTars.shardName(shard, 3)), all.subList(cuts[shard], cuts[shard + 1]));
    }
    return PackedShards.list(new LocalDirectoryStore(dir), "packed", GREY8, CLASSES, false);
  }

  private ShuffledShards set(List<ExampleShard> shards, int threads) {
    return new ShuffledShards(shards, CLASSES, SAMPLES, 9, new DecodeSettings(threads, 6));
  }

  /** An epoch as the loop sees it: per example its ordinal, pixels and target, and the pass's position after it. */
  private static List<String> epoch(TrainingSet set, int epoch, long position) throws IOException {
    List<String> seen = new ArrayList<>();
    try (TrainingSet.Pass pass = set.epoch(7, epoch, position)) {
      for (TrainingExample example = pass.next(); example != null; example = pass.next()) {
        seen.add(example.image().ordinal() + " " + Arrays.hashCode(example.image().pixels()) + " "
            + Arrays.toString(example.classes()) + " @" + pass.position());
      }
      seen.add("end @" + pass.position() + " skipped " + pass.skipped());
    }
    return seen;
  }

  @Test
  void everyThreadCountSeesTheSameExamplesInTheSameOrderAtTheSamePositions() throws IOException {
    List<ExampleShard> shards = packedBands(true);
    for (int epoch = 0; epoch < 2; epoch++) {
      List<String> one = epoch(set(shards, 1), epoch, 0);
      assertThat(one).hasSize(SAMPLES).last().isEqualTo("end @" + SAMPLES + " skipped 1");
      assertThat(one).noneMatch(line -> line.startsWith(CORRUPT + " "));
      for (int threads : new int[] {2, 4}) {
        assertThat(epoch(set(shards, threads), epoch, 0)).as("epoch %d, %d threads", epoch, threads).isEqualTo(one);
      }
      // A pass reopened mid-epoch goes on as the uninterrupted one, on any thread count.
      int cut = 30;
      int from = 0;
      while (Long.parseLong(one.get(from).substring(one.get(from).lastIndexOf('@') + 1)) <= cut) {
        from++;
      }
      List<String> reopened = epoch(set(shards, 4), epoch, cut);
      assertThat(reopened.subList(0, reopened.size() - 1)).isEqualTo(one.subList(from, one.size() - 1));
    }
  }

  @Test
  void everyThreadCountTrainsToTheSameParameters() throws IOException {
    List<ExampleShard> shards = packedBands(true);
    TrainingSpec spec = TrainingLoopTest.spec(2);
    byte[] oneThread = null;
    for (int threads : new int[] {1, 2, 4}) {
      try (Network network = Network.create("cnn-small", TrainingLoopTest.SHAPE, Regularization.NONE, 3)) {
        TrainingLoop.Result result = new TrainingLoop(network, spec, TrainingLoopTest.PLAIN)
            .fit(set(shards, threads), new TrainingLoopTest.MemoryCheckpoints(), TrainingLoopTest.QUIET);
        assertThat(result.skippedImages()).isEqualTo(2); // the corrupt sample, once per epoch
        if (oneThread == null) {
          oneThread = network.parameterBytes();
        } else {
          assertThat(network.parameterBytes()).as("%d threads", threads).isEqualTo(oneThread);
        }
      }
    }
  }

  @Test
  void aRunKilledMidEpochOnFourThreadsResumesToTheSameParameters() throws IOException {
    TrainingLoopTest.assertMidEpochResumeIsExact(set(packedBands(false), 4));
  }
}
