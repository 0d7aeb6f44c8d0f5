package dev.semisup.worker.stages.pack;

import java.util.Arrays;
import java.util.Random;

/**
 * The run's shuffled order of the sampled index's entries: entry e is packed at position
 * {@code order[p] == e}. A Fisher-Yates shuffle with the run's seed, so every pack pod computes the
 * same order on its own; shard s of S packs positions [s n / S, (s+1) n / S), so the positions
 * (the members' basenames) run on from one tar to the next. 4 bytes per entry: 64 MB at the
 * paper's 16M entries.
 */
final class PackedOrder {

  private PackedOrder() {
  }

  static int[] shuffled(int entries, long seed) {
    int[] order = new int[entries];
    for (int i = 0; i < entries; i++) {
      order[i] = i;
    }
    Random random = new Random(seed);
    for (int i = entries - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  static long first(long entries, int shard, int shards) {
    return entries * shard / shards;
  }

  /**
   * The entries shard {@code shard} packs, as (entry << 32 | position) sorted by entry, so one
   * forward pass over the index finds them all.
   */
  static long[] entriesOf(int[] order, int shard, int shards) {
    int from = (int) first(order.length, shard, shards);
    int to = (int) first(order.length, shard + 1, shards);
    long[] mine = new long[to - from];
    for (int position = from; position < to; position++) {
      mine[position - from] = (long) order[position] << 32 | position;
    }
    Arrays.sort(mine);
    return mine;
  }
}
