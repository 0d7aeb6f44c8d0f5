package dev.semisup.operator.observer;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.report.StageProgress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the progress.json files of running steps, a bounded number per reconcile: a sharded step
 * has one file per shard (up to spec.sampling.shards), and every read is a GET to the object store
 * with its own timeout, on one of a few reconcile threads. The shards of a step are read in turn
 * from where the last reconcile stopped; a shard not read this time keeps the progress last read.
 */
public final class ProgressReads {

  /** Object store reads of progress files in one reconcile. */
  public static final int MAX_READS = 32;
  /** Time one reconcile may spend on them; the shards not reached wait for the next. */
  public static final Duration BUDGET = Duration.ofSeconds(2);

  private final Clock clock;
  /** By run UID and Job name (one per attempt): a retried step starts from nothing. */
  private final Map<Key, Known> known = new ConcurrentHashMap<>();

  public ProgressReads(Clock clock) {
    this.clock = clock;
  }

  /** The reads one reconcile may make. */
  public Budget budget() {
    return new Budget(MAX_READS, clock.millis() + BUDGET.toMillis());
  }

  /** Every shard's latest known progress for the step's running Job, after this reconcile's reads. */
  List<StageProgress> read(ArtifactReader reader, ObjectLayout layout, PlannedStep step, String runUid, String job,
      Budget budget) throws StorageUnreachableException {
    if (!step.sharded()) {
      budget.reads--; // one file, always read: the step's whole progress
      return reader.progress(layout.progress(step)).map(List::of).orElse(List.of());
    }
    Known seen = known.computeIfAbsent(new Key(runUid, job), k -> new Known(step.shards()));
    synchronized (seen) {
      for (int i = 0; i < step.shards() && budget.take(clock); i++) {
        int shard = seen.next;
        seen.next = (shard + 1) % step.shards();
        reader.progress(layout.shardProgress(step, shard)).ifPresent(p -> seen.last[shard] = p);
      }
      return Arrays.stream(seen.last).filter(Objects::nonNull).toList();
    }
  }

  /** Forgets the run's steps whose Jobs no longer run (all of them when {@code running} is empty). */
  public void retain(String runUid, Set<String> running) {
    known.keySet().removeIf(key -> key.runUid().equals(runUid) && !running.contains(key.job()));
  }

  /** How many reads a reconcile has left, and until when. */
  public static final class Budget {
    private int reads;
    private final long deadlineMillis;

    Budget(int reads, long deadlineMillis) {
      this.reads = reads;
      this.deadlineMillis = deadlineMillis;
    }

    boolean take(Clock clock) {
      if (reads <= 0 || clock.millis() >= deadlineMillis) {
        return false;
      }
      reads--;
      return true;
    }
  }

  private record Key(String runUid, String job) {
  }

  private static final class Known {
    private final StageProgress[] last;
    private int next;

    Known(int shards) {
      last = new StageProgress[shards];
    }
  }
}
