package dev.semisup.worker.sampling;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The one score threshold of the unbalanced selection: the worst of the best {@code n} (image,
 * class) entries over every class of every shard, in the order of
 * {@link PerClassTopK#compareEntries}. Found in one pass over the shards with a bounded min-heap of
 * {@code n} primitive entries (the root is the worst kept), so memory is O(n), never O(candidates).
 * Exact: each shard kept its own best n entries, and the global best n are among their union.
 */
public final class GlobalThreshold {

  /** The worst entry that is kept: an entry is in the index when it is not worse than this. */
  public record Entry(float score, long ordinal, int pseudoLabel) {

    /** True when the candidate is this entry or better. */
    public boolean admits(Candidate candidate) {
      return PerClassTopK.compareEntries(candidate.score(), candidate.ordinal(), candidate.pseudoLabel(),
          score, ordinal, pseudoLabel) <= 0;
    }
  }

  private GlobalThreshold() {
  }

  /** The threshold over the shards, or empty when they hold at most n entries in all (all are kept). */
  public static Optional<Entry> of(List<CandidateShardReader> shards, int n) throws IOException {
    if (n < 1) {
      throw new IllegalArgumentException("the unbalanced index size must be at least 1, got " + n);
    }
    float[] scores = new float[Math.min(n, 1024)];
    long[] ordinals = new long[scores.length];
    int[] labels = new int[scores.length];
    int size = 0;
    for (CandidateShardReader shard : shards) {
      for (int cls = 0; cls < shard.classes(); cls++) {
        CandidateShardReader.ClassEntries entries = shard.openClass(cls);
        for (Candidate c = entries.next(); c != null; c = entries.next()) {
          if (size < n) {
            if (size == scores.length) {
              int grown = (int) Math.min(n, 2L * scores.length);
              scores = java.util.Arrays.copyOf(scores, grown);
              ordinals = java.util.Arrays.copyOf(ordinals, grown);
              labels = java.util.Arrays.copyOf(labels, grown);
            }
            scores[size] = c.score();
            ordinals[size] = c.ordinal();
            labels[size] = c.pseudoLabel();
            siftUp(scores, ordinals, labels, size);
            size++;
          } else if (PerClassTopK.compareEntries(c.score(), c.ordinal(), c.pseudoLabel(),
              scores[0], ordinals[0], labels[0]) < 0) {
            scores[0] = c.score();
            ordinals[0] = c.ordinal();
            labels[0] = c.pseudoLabel();
            siftDown(scores, ordinals, labels, size);
          } else {
            // The class's list is best first: the rest of it cannot enter either.
            break;
          }
        }
      }
    }
    return size < n ? Optional.empty() : Optional.of(new Entry(scores[0], ordinals[0], labels[0]));
  }

  // A parent is never better than its children: the root is the worst kept entry.

  private static void siftUp(float[] s, long[] o, int[] c, int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (PerClassTopK.compareEntries(s[parent], o[parent], c[parent], s[i], o[i], c[i]) >= 0) {
        return;
      }
      swap(s, o, c, i, parent);
      i = parent;
    }
  }

  private static void siftDown(float[] s, long[] o, int[] c, int size) {
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        return;
      }
      if (child + 1 < size && PerClassTopK.compareEntries(s[child], o[child], c[child],
          s[child + 1], o[child + 1], c[child + 1]) < 0) {
        child++;
      }
      if (PerClassTopK.compareEntries(s[i], o[i], c[i], s[child], o[child], c[child]) >= 0) {
        return;
      }
      swap(s, o, c, i, child);
      i = child;
    }
  }

  private static void swap(float[] s, long[] o, int[] c, int a, int b) {
    float score = s[a];
    s[a] = s[b];
    s[b] = score;
    long ordinal = o[a];
    o[a] = o[b];
    o[b] = ordinal;
    int label = c[a];
    c[a] = c[b];
    c[b] = label;
  }
}
