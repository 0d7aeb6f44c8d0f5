package dev.semisup.worker.model;

import ai.djl.Device;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Scores batches on one replica of a pool scorer per device: batches are dealt to the replicas in
 * turn, each replica scoring on its own thread (so the devices work at once), and each batch's
 * probabilities are handed back on the caller's thread in the order the batches were submitted.
 * So whatever the number of devices, the caller sees the same probabilities in the same order:
 * the candidates of a shard do not depend on how many GPUs scored it. At most one batch per
 * replica is in flight (submitting waits for the oldest), which bounds memory.
 *
 * <p>With one device there are no threads: a batch is scored and handed back at once.
 */
public final class ReplicatedScoring implements AutoCloseable {

  private final List<PoolScorer> replicas;
  private final List<ExecutorService> threads;
  private final Deque<Pending> inFlight = new ArrayDeque<>();
  private int next;

  private record Pending(Future<float[]> probabilities, Consumer<float[]> then) {
  }

  private ReplicatedScoring(List<PoolScorer> replicas, List<ExecutorService> threads) {
    this.replicas = replicas;
    this.threads = threads;
  }

  /**
   * {@code network} scores on the first device (it must be on it; it stays the caller's to
   * close), a replica with a copy of its parameters on each further device. The same device may
   * repeat (tests: two instances on the CPU).
   */
  public static ReplicatedScoring over(PoolScorer network, List<Device> devices) {
    if (devices.isEmpty() || !devices.get(0).equals(network.device())) {
      throw new IllegalArgumentException("the first device " + (devices.isEmpty() ? "(none)" : devices.get(0))
          + " must be the one the network is on, " + network.device());
    }
    List<PoolScorer> replicas = new ArrayList<>(List.of(network));
    List<ExecutorService> threads = new ArrayList<>();
    ReplicatedScoring scoring = new ReplicatedScoring(replicas, threads);
    try {
      for (Device device : devices.subList(1, devices.size())) {
        replicas.add(network.replica(device));
      }
      if (replicas.size() > 1) {
        for (int r = 0; r < replicas.size(); r++) {
          String name = "scoring-replica-" + r;
          threads.add(Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
          }));
        }
      }
    } catch (RuntimeException e) {
      scoring.close();
      throw e;
    }
    return scoring;
  }

  public int replicas() {
    return replicas.size();
  }

  /**
   * Scores the first {@code count} images of {@code images} (copied: the caller may refill its
   * buffer at once); {@code then} receives their probabilities (count x classes) on this thread,
   * after every batch submitted before it, during this call or a later one, or {@link #finish}.
   */
  public void score(float[] images, int count, Consumer<float[]> then) {
    if (threads.isEmpty()) {
      then.accept(replicas.get(0).probabilities(images, count));
      return;
    }
    if (inFlight.size() == replicas.size()) {
      handBack(inFlight.removeFirst());
    }
    PoolScorer replica = replicas.get(next);
    float[] batch = Arrays.copyOf(images, count * replica.shape().pixels());
    inFlight.addLast(new Pending(threads.get(next).submit(() -> replica.probabilities(batch, count)), then));
    next = (next + 1) % replicas.size();
  }

  /** Waits for every batch in flight and hands back their probabilities, in order. */
  public void finish() {
    while (!inFlight.isEmpty()) {
      handBack(inFlight.removeFirst());
    }
  }

  private static void handBack(Pending pending) {
    float[] probabilities;
    try {
      probabilities = pending.probabilities().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a replica scored a batch", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("a replica failed to score a batch", e.getCause());
    }
    pending.then().accept(probabilities);
  }

  /** Stops the threads and closes the replicas it made (not the network it was given). */
  @Override
  public void close() {
    threads.forEach(ExecutorService::shutdownNow);
    for (ExecutorService thread : threads) {
      try {
        // A replica still scoring must finish before its model is closed under it.
        thread.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (PoolScorer replica : replicas.subList(1, replicas.size())) {
      replica.close();
    }
  }
}
