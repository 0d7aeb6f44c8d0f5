package dev.semisup.worker.sampling;

import java.io.IOException;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The select stage's core: merges the inference shards' per-class top-K lists into the global
 * top-K per class, the sampled dataset index.
 *
 * <p>Each shard kept its own top-K of every class, and the global top-K of a class can hold at
 * most K images of any one shard, so it is contained in the union of the shards' lists. A k-way
 * merge of the sorted lists that stops after K entries therefore gives exactly what one pass over
 * the whole pool would, under the same total order (score, then ordinal). Memory is one entry per
 * shard plus the class being emitted; the shards are read one class at a time.
 */
public final class ShardMerge {

  private ShardMerge() {
  }

  /**
   * Sends every class's global top-K to {@code sink}, classes in increasing order, each best first
   * (the sampled index order). Returns the number of entries sent. The shards must agree on
   * classes, K and top-P; an image found in two shards is an error (shards split the pool).
   */
  public static long merge(List<CandidateShardReader> shards, CandidateSink sink) throws IOException {
    return merge(shards, null, sink);
  }

  /**
   * As {@link #merge(List, CandidateSink)}, keeping of each class only the entries the global
   * threshold admits (the unbalanced selection; null keeps the per-class top-K alone).
   */
  public static long merge(List<CandidateShardReader> shards, GlobalThreshold.Entry threshold, CandidateSink sink)
      throws IOException {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("no candidate shards to merge");
    }
    CandidateShardReader first = shards.get(0);
    for (CandidateShardReader shard : shards) {
      if (shard.classes() != first.classes() || shard.k() != first.k() || shard.topP() != first.topP()) {
        throw new IOException(shard.name() + " (classes " + shard.classes() + ", k " + shard.k() + ", topP "
            + shard.topP() + ") does not match " + first.name() + " (classes " + first.classes() + ", k "
            + first.k() + ", topP " + first.topP() + ")");
      }
    }
    long sent = 0;
    for (int cls = 0; cls < first.classes(); cls++) {
      sent += mergeClass(shards, cls, first.k(), threshold, sink);
    }
    return sent;
  }

  private record Head(Candidate candidate, CandidateShardReader.ClassEntries rest, String shard) {
  }

  private static int mergeClass(List<CandidateShardReader> shards, int cls, int k, GlobalThreshold.Entry threshold,
      CandidateSink sink)
      throws IOException {
    PriorityQueue<Head> heads = new PriorityQueue<>(shards.size(),
        (a, b) -> Candidate.BETTER_FIRST.compare(a.candidate(), b.candidate()));
    for (CandidateShardReader shard : shards) {
      CandidateShardReader.ClassEntries entries = shard.openClass(cls);
      Candidate candidate = entries.next();
      if (candidate != null) {
        heads.add(new Head(candidate, entries, shard.name()));
      }
    }
    int sent = 0;
    Head previous = null;
    while (sent < k && !heads.isEmpty()) {
      Head best = heads.poll();
      Candidate candidate = best.candidate();
      if (threshold != null && !threshold.admits(candidate)) {
        break; // best first: the rest of the class is below the threshold too
      }
      // The same image in two shards has the same score and ordinal, so it would come out twice
      // in a row: a shard listed twice, or shards that did not split the pool by ordinal.
      if (previous != null && previous.candidate().ordinal() == candidate.ordinal()) {
        throw new IOException("image " + candidate.ordinal() + " (" + candidate.key() + ") is a candidate of class "
            + cls + " in both " + previous.shard() + " and " + best.shard());
      }
      sink.accept(candidate);
      sent++;
      previous = best;
      Candidate next = best.rest().next();
      if (next != null) {
        heads.add(new Head(next, best.rest(), best.shard()));
      }
    }
    return sent;
  }
}
