package dev.semisup.worker.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardMergeTest {

  @Test
  void mergingShardsEqualsOneSinglePassOverThePool() throws IOException {
    Random random = new Random(1905);
    for (int trial = 0; trial < 200; trial++) {
      int classes = 1 + random.nextInt(6);
      int shards = 1 + random.nextInt(6); // often more shards than a class has images
      int k = trial % 4 == 0 ? 1 : 1 + random.nextInt(trial % 3 == 0 ? 50 : 5);
      int p = switch (trial % 3) {
        case 0 -> 1;
        case 1 -> classes;
        default -> 1 + random.nextInt(classes);
      };
      RandomPool pool = RandomPool.draw(random, classes, random.nextInt(60));

      List<byte[]> files = new ArrayList<>();
      for (int shard = 0; shard < shards; shard++) {
        files.add(CandidateShardsTest.write(pool.select(k, p, shards, shard), p));
      }
      List<Candidate> merged = new ArrayList<>();
      ByteArrayOutputStream part = new ByteArrayOutputStream();
      try (SampledIndex.Writer writer = new SampledIndex.Writer(part, classes, p)) {
        long sent = ShardMerge.merge(open(files), writer.andThen(merged::add));
        writer.finish();
        assertThat(sent).isEqualTo(merged.size());
      }

      List<Candidate> singlePass = new ArrayList<>();
      PerClassTopK whole = pool.select(k, p, 1, 0);
      for (int cls = 0; cls < classes; cls++) {
        singlePass.addAll(whole.sorted(cls));
      }
      assertThat(merged).as("trial %d: %d shards, k %d, p %d", trial, shards, k, p).isEqualTo(singlePass);
      List<Candidate> ranged = new ArrayList<>();
      ShardMerge.merge(openRanged(files), null, ranged::add, 1 + trial % 4);
      assertThat(ranged).as("trial %d by ranged reads, %d classes at once", trial, 1 + trial % 4).isEqualTo(singlePass);
      assertThat(singlePass).isEqualTo(pool.bruteIndex(k, p));
      assertThat(SampledIndex.readAll(new ByteArrayInputStream(part.toByteArray()), "part")).isEqualTo(singlePass);
    }
  }

  @Test
  void rangedReadsMoveAboutTheKeptBytesWhateverTheNumberOfShards() throws IOException {
    Random random = new Random(64);
    int classes = 3;
    int k = 2000;
    for (int shards : new int[] {2, 8, 32}) {
      RandomPool pool = RandomPool.draw(random, classes, shards * k);
      List<byte[]> files = new ArrayList<>();
      long whole = 0;
      for (int shard = 0; shard < shards; shard++) {
        files.add(CandidateShardsTest.write(pool.select(k, classes, shards, shard), classes));
        whole += files.get(shard).length;
      }
      long[] moved = new long[1];
      List<CandidateShardReader> readers = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        readers.add(CandidateShardReader.open(CandidateShardsTest.ranges(files.get(i), moved), "shard-" + i));
      }
      long[] kept = new long[1];
      ShardMerge.merge(readers, null, c -> kept[0] += CandidateShardWriter.entryBytes(c), 4);

      assertThat(kept[0]).isGreaterThan(0);
      assertThat(whole).as("%d shards read whole", shards).isGreaterThanOrEqualTo(shards * kept[0] * 9 / 10);
      assertThat(moved[0]).as("%d shards by ranged reads", shards).isLessThanOrEqualTo(kept[0] * 11 / 10);
    }
  }

  @Test
  void classesAtOnceTakeRangedReaders() throws IOException {
    byte[] shard = CandidateShardsTest.write(RandomPool.draw(new Random(6), 2, 10).select(3, 1, 1, 0), 1);

    assertThatThrownBy(() -> ShardMerge.merge(open(List.of(shard)), null, c -> { }, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shard-0 is read as one stream");
  }

  @Test
  void anImageInTwoShardsIsAnError() throws IOException {
    byte[] shard = CandidateShardsTest.write(RandomPool.draw(new Random(6), 2, 10).select(3, 1, 1, 0), 1);

    assertThatThrownBy(() -> ShardMerge.merge(open(List.of(shard, shard)), c -> { }))
        .isInstanceOf(IOException.class).hasMessageContaining("in both shard-0 and shard-1");
  }

  @Test
  void shardsOfDifferentRunsDoNotMerge() throws IOException {
    RandomPool pool = RandomPool.draw(new Random(6), 2, 10);
    byte[] k3 = CandidateShardsTest.write(pool.select(3, 1, 2, 0), 1);
    byte[] k4 = CandidateShardsTest.write(pool.select(4, 1, 2, 1), 1);

    assertThatThrownBy(() -> ShardMerge.merge(open(List.of(k3, k4)), c -> { }))
        .isInstanceOf(IOException.class)
        .hasMessage("shard-1 (classes 2, k 4, topP 1) does not match shard-0 (classes 2, k 3, topP 1)");
  }

  private static List<CandidateShardReader> openRanged(List<byte[]> files) throws IOException {
    List<CandidateShardReader> readers = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      readers.add(CandidateShardReader.open(CandidateShardsTest.ranges(files.get(i), new long[1]), "shard-" + i));
    }
    return readers;
  }

  private static List<CandidateShardReader> open(List<byte[]> files) throws IOException {
    List<CandidateShardReader> readers = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      readers.add(CandidateShardReader.open(new ByteArrayInputStream(files.get(i)), "shard-" + i));
    }
    return readers;
  }
}
