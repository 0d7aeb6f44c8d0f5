package dev.semisup.worker.model;

import ai.djl.Device;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Scores batches of 8-bit images on one replica of a pool scorer per device, each replica on its
 * own thread, while the caller fills the next batch: the model works while the pool is read and
 * decoded. Batches are dealt to the replicas in turn, and each batch's probabilities are handed
 * back on the caller's thread in the order the batches were submitted. So whatever the number of
 * devices, the caller sees the same probabilities in the same order: the candidates of a shard do
 * not depend on how many GPUs scored it.
 *
 * <p>Memory is a fixed number of batches: one being filled and at most one in flight per replica
 * (submitting waits for the oldest when every replica is busy). Their buffers ({@link PixelBatch})
 * are made once and go round: a batch handed back is the next one filled.
 */
public final class ReplicatedScoring implements AutoCloseable {

  private final List<PoolScorer> replicas;
  private final List<ExecutorService> threads = new ArrayList<>();
  private final InputNormalisation normalisation;
  private final Deque<PixelBatch> free = new ArrayDeque<>();
  private final Deque<Pending> inFlight = new ArrayDeque<>();
  private PixelBatch filling;
  private int next;

  private record Pending(PixelBatch batch, Future<float[]> probabilities, Consumer<float[]> then) {
  }

  private ReplicatedScoring(List<PoolScorer> replicas, InputNormalisation normalisation) {
    this.replicas = replicas;
    this.normalisation = normalisation;
  }

  /**
   * {@code network} scores on the first device (it must be on it; it stays the caller's to
   * close), a replica with a copy of its parameters on each further device. The same device may
   * repeat (tests: two instances on the CPU). Batches hold up to {@code batchImages} images.
   */
  public static ReplicatedScoring over(PoolScorer network, List<Device> devices, InputNormalisation normalisation,
      int batchImages) {
    if (devices.isEmpty() || !devices.get(0).equals(network.device())) {
      throw new IllegalArgumentException("the first device " + (devices.isEmpty() ? "(none)" : devices.get(0))
          + " must be the one the network is on, " + network.device());
    }
    List<PoolScorer> replicas = new ArrayList<>(List.of(network));
    ReplicatedScoring scoring = new ReplicatedScoring(replicas, normalisation);
    try {
      for (Device device : devices.subList(1, devices.size())) {
        replicas.add(network.replica(device));
      }
      for (int r = 0; r < replicas.size(); r++) {
        String name = "scoring-replica-" + r;
        scoring.threads.add(Executors.newSingleThreadExecutor(task -> {
          Thread thread = new Thread(task, name);
          thread.setDaemon(true);
          return thread;
        }));
      }
      for (int b = 0; b <= replicas.size(); b++) {
        scoring.free.add(new PixelBatch(batchImages, network.shape().pixels()));
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

  /** The batch to fill next; the same one until it is submitted by {@link #score}. */
  public PixelBatch batch() {
    if (filling == null) {
      // Never empty here: batches are replicas + 1, and score() leaves at most one per replica in flight.
      filling = free.removeFirst();
      filling.clear();
    }
    return filling;
  }

  /**
   * Submits the batch being filled (nothing when it is empty); {@code then} receives its
   * probabilities (count x classes) on this thread, after every batch submitted before it, during
   * this call or a later one, or {@link #finish}. Waits for the oldest batch when every replica is
   * busy.
   */
  public void score(Consumer<float[]> then) {
    if (filling == null || filling.count() == 0) {
      return;
    }
    if (inFlight.size() == replicas.size()) {
      handBack(inFlight.removeFirst());
    }
    PixelBatch batch = filling;
    filling = null;
    PoolScorer replica = replicas.get(next);
    inFlight.addLast(new Pending(batch, threads.get(next).submit(() -> replica.probabilities(batch, normalisation)),
        then));
    next = (next + 1) % replicas.size();
  }

  /** Batches submitted and not yet handed back. */
  public int inFlight() {
    return inFlight.size();
  }

  /** Waits for every batch in flight and hands back their probabilities, in order. */
  public void finish() {
    while (!inFlight.isEmpty()) {
      handBack(inFlight.removeFirst());
    }
  }

  private void handBack(Pending pending) {
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
    } finally {
      free.addLast(pending.batch());
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
