package dev.semisup.worker.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.ExampleShard;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.TrainingExample;
import dev.semisup.worker.data.pipeline.DecodeSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShuffledShardsTest {

  /** Examples the decode pipeline may read ahead of the loop (its window), on more than one thread. */
  static final DecodeSettings DECODING = new DecodeSettings(2, 4);

  /**
   * Counts what a pass reads, decodes and holds open, so the tests can see memory and work.
   * Decodes run on the pipeline's threads, hence the locks.
   */
  static final class Counters {
    long read;
    long decoded;
    long maxHeld;
    int open;
    int maxOpen;

    synchronized void onRead() {
      read++;
      maxHeld = Math.max(maxHeld, read - decoded);
    }

    synchronized void onDecode() {
      decoded++;
    }

    synchronized long decoded() {
      return decoded;
    }

    synchronized void resetDecoded() {
      decoded = 0;
    }
  }

  /** A shard of examples with ids first..first+count-1 (label id % 3); ids in {@code corrupt} fail to decode. */
  static ExampleShard shard(int first, int count, Set<Integer> corrupt, Counters counters) {
    return new ExampleShard() {
      @Override
      public String describe() {
        return "shard-" + first;
      }

      @Override
      public Reader open() {
        counters.open++;
        counters.maxOpen = Math.max(counters.maxOpen, counters.open);
        return new Reader() {
          int next = first;

          @Override
          public Encoded next() {
            if (next >= first + count) {
              return null;
            }
            int id = next++;
            counters.onRead();
            return () -> {
              counters.onDecode();
              if (corrupt.contains(id)) {
                throw new ExampleShard.CorruptExample("image " + id + " is corrupt", null);
              }
              return TrainingExample.hard(new ImageRecord(id, "id-" + id, id % 3, 1, 1, 1, new byte[] {(byte) id}), id % 3);
            };
          }

          @Override
          public void close() {
            counters.open--;
          }
        };
      }
    };
  }

  /** Shards of 7, 13, 0, 20 and 5 examples: ids 0..44. */
  static ShuffledShards set(int buffer, Set<Integer> corrupt, Counters counters) {
    int[] sizes = {7, 13, 0, 20, 5};
    List<ExampleShard> shards = new ArrayList<>();
    int first = 0;
    for (int size : sizes) {
      shards.add(shard(first, size, corrupt, counters));
      first += size;
    }
    return new ShuffledShards(shards, 3, first, buffer, DECODING);
  }

  static List<Long> ids(TrainingSet.Pass pass) throws IOException {
    List<Long> ids = new ArrayList<>();
    for (TrainingExample example = pass.next(); example != null; example = pass.next()) {
      ids.add(example.image().ordinal());
    }
    return ids;
  }

  static List<Long> epoch(TrainingSet set, long seed, int epoch, long position) throws IOException {
    try (TrainingSet.Pass pass = set.epoch(seed, epoch, position)) {
      return ids(pass);
    }
  }

  @Test
  void everyExampleOncePerEpochInAnOrderFixedBySeedAndEpoch() throws IOException {
    ShuffledShards set = set(8, Set.of(), new Counters());
    List<Long> first = epoch(set, 1, 0, 0);
    assertThat(first).hasSize(45).doesNotHaveDuplicates().allMatch(id -> id >= 0 && id < 45);
    assertThat(epoch(set, 1, 0, 0)).isEqualTo(first);
    assertThat(epoch(set, 1, 1, 0)).isNotEqualTo(first).containsExactlyInAnyOrderElementsOf(first);
    assertThat(epoch(set, 2, 0, 0)).isNotEqualTo(first).containsExactlyInAnyOrderElementsOf(first);
    // Not the shards' own order: the buffer mixes.
    assertThat(first).isNotEqualTo(first.stream().sorted().toList());
  }

  @Test
  void memoryIsTheBufferAndOneOpenShardWhateverTheDataSize() throws IOException {
    Counters counters = new Counters();
    ShuffledShards set = set(6, Set.of(), counters);
    assertThat(epoch(set, 3, 0, 0)).hasSize(45);
    // The buffer, the example being picked, and the decode pipeline's window read ahead of the loop.
    assertThat(counters.maxHeld).isLessThanOrEqualTo(6 + 1 + DECODING.window());
    assertThat(counters.maxOpen).isEqualTo(1);
    assertThat(counters.open).isZero();
  }

  @Test
  void aPassReopenedAtAPositionGoesOnAsTheUninterruptedOneWithoutDecodingThePast() throws IOException {
    Counters counters = new Counters();
    ShuffledShards set = set(8, Set.of(), counters);
    List<Long> whole = epoch(set, 5, 2, 0);
    for (int position : new int[] {1, 8, 17, 44, 45}) {
      counters.resetDecoded();
      try (TrainingSet.Pass pass = set.epoch(5, 2, position)) {
        assertThat(counters.decoded()).as("decoded while replaying to %d", position).isZero();
        assertThat(pass.position()).isEqualTo(position);
        assertThat(ids(pass)).isEqualTo(whole.subList(position, 45));
      }
    }
    assertThatThrownBy(() -> set.epoch(5, 2, 46)).hasMessageContaining("past the end of the training data");
  }

  @Test
  void corruptImagesAreSkippedAndCountedAndKeepTheirPlaceInTheOrder() throws IOException {
    Set<Integer> corrupt = Set.of(3, 30, 44);
    ShuffledShards set = set(8, corrupt, new Counters());
    List<Long> clean = epoch(set(8, Set.of(), new Counters()), 4, 0, 0);
    try (TrainingSet.Pass pass = set.epoch(4, 0, 0)) {
      List<Long> ids = ids(pass);
      assertThat(pass.skipped()).isEqualTo(3);
      assertThat(pass.position()).isEqualTo(45);
      List<Long> expected = new ArrayList<>(clean);
      expected.removeIf(id -> corrupt.contains(id.intValue()));
      assertThat(ids).isEqualTo(expected);
    }
    // Reopened after a corrupt image, the pass still continues the same order.
    int afterCorrupt = clean.indexOf(30L) + 1;
    List<Long> tail = new ArrayList<>(clean.subList(afterCorrupt, 45));
    tail.removeIf(id -> corrupt.contains(id.intValue()));
    assertThat(epoch(set, 4, 0, afterCorrupt)).isEqualTo(tail);
  }

  @Test
  void aBufferOfOneReadsTheShardsInTheirShuffledOrder() throws IOException {
    List<Long> ids = epoch(set(1, Set.of(), new Counters()), 9, 0, 0);
    // Each shard's ids come as one ascending run.
    Set<Long> starts = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      if (i == 0 || ids.get(i) != ids.get(i - 1) + 1) {
        starts.add(ids.get(i));
      }
    }
    assertThat(starts).isSubsetOf(0L, 7L, 20L, 40L);
  }
}
