package dev.semisup.worker.sampling;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The select stage's core: merges the inference shards' per-class top-K lists into the global
 * top-K per class, the sampled dataset index.
 *
 * <p>Each shard kept its own top-K of every class, and the global top-K of a class can hold at
 * most K images of any one shard, so it is contained in the union of the shards' lists. A k-way
 * merge of the sorted lists that stops after K entries therefore gives exactly what one pass over
 * the whole pool would, under the same total order (score, then ordinal). Memory is one entry per
 * shard plus the class being emitted; the shards are read one class at a time.
 *
 * <p>A shard opened on ranged reads is read only as far as the merge takes its entries. Each
 * shard's first read of a class covers its expected share of the K less two standard deviations
 * ({@code K/S - 2 sqrt(K/S)}), which a shard whose images are drawn like the others' almost always
 * uses whole; every later read covers {@code K / (20 S)} entries (at least one). What a class
 * fetches and leaves unused is then the tail of one read per shard, {@code K/20} entries at most,
 * beside the first reads that a shard far below its share leaves (K in all at most, while K >= S).
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
    return merge(shards, threshold, sink, 1);
  }

  /**
   * As {@link #merge(List, GlobalThreshold.Entry, CandidateSink)}, merging up to
   * {@code classesAtOnce} classes at the same time on threads of their own, so that the ranged
   * reads of one class wait on the store while others are merged; the sink still gets the classes
   * in order, from the calling thread. Memory grows by the merged lists of that many classes
   * (K entries each). More than one at once takes shards opened on ranged reads.
   */
  public static long merge(List<CandidateShardReader> shards, GlobalThreshold.Entry threshold, CandidateSink sink,
      int classesAtOnce) throws IOException {
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
    if (classesAtOnce < 1) {
      throw new IllegalArgumentException("classes merged at once must be at least 1, got " + classesAtOnce);
    }
    if (classesAtOnce == 1 || first.classes() == 1) {
      long sent = 0;
      for (int cls = 0; cls < first.classes(); cls++) {
        sent += mergeClass(shards, cls, first.k(), threshold, sink);
      }
      return sent;
    }
    for (CandidateShardReader shard : shards) {
      if (!shard.ranged()) {
        throw new IllegalArgumentException(shard.name() + " is read as one stream: its classes cannot be merged at once");
      }
    }
    return mergeConcurrently(shards, threshold, sink, Math.min(classesAtOnce, first.classes()));
  }

  private static long mergeConcurrently(List<CandidateShardReader> shards, GlobalThreshold.Entry threshold,
      CandidateSink sink, int classesAtOnce) throws IOException {
    int classes = shards.get(0).classes();
    int k = shards.get(0).k();
    AtomicInteger threads = new AtomicInteger();
    ExecutorService merging = Executors.newFixedThreadPool(classesAtOnce, task -> {
      Thread thread = new Thread(task, "select-merge-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    try {
      Deque<Future<List<Candidate>>> window = new ArrayDeque<>();
      int submitted = 0;
      long sent = 0;
      for (int cls = 0; cls < classes; cls++) {
        while (submitted < classes && submitted < cls + classesAtOnce) {
          int next = submitted++;
          window.add(merging.submit(() -> {
            List<Candidate> merged = new ArrayList<>();
            mergeClass(shards, next, k, threshold, merged::add);
            return merged;
          }));
        }
        for (Candidate candidate : await(window.poll())) {
          sink.accept(candidate);
          sent++;
        }
      }
      return sent;
    } finally {
      merging.shutdownNow();
    }
  }

  private static List<Candidate> await(Future<List<Candidate>> merged) throws IOException {
    try {
      return merged.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while merging candidate shards");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException("merging candidate shards failed: " + e.getCause(), e.getCause());
    }
  }

  /** Entries of a shard's first read of a class: its expected share of the K, less two standard deviations. */
  static int firstReadEntries(int k, int shards) {
    double share = (double) k / shards;
    return (int) Math.max(laterReadEntries(k, shards), Math.floor(share - 2 * Math.sqrt(share)));
  }

  /** Entries of each later read: over all S shards, the unused tails add up to K/20 at most. */
  static int laterReadEntries(int k, int shards) {
    return (int) Math.max(1, k / (20L * shards));
  }

  private record Head(Candidate candidate, CandidateShardReader.ClassEntries rest, String shard) {
  }

  private static int mergeClass(List<CandidateShardReader> shards, int cls, int k, GlobalThreshold.Entry threshold,
      CandidateSink sink)
      throws IOException {
    PriorityQueue<Head> heads = new PriorityQueue<>(shards.size(),
        (a, b) -> Candidate.BETTER_FIRST.compare(a.candidate(), b.candidate()));
    int first = firstReadEntries(k, shards.size());
    int later = laterReadEntries(k, shards.size());
    for (CandidateShardReader shard : shards) {
      CandidateShardReader.ClassEntries entries = shard.openClass(cls, first, later);
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
