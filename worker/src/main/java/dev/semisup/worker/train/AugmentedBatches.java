package dev.semisup.worker.train;

import dev.semisup.worker.data.TrainingExample;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.IntToLongFunction;

/**
 * One epoch's batches, augmented on other threads ahead of the training step, so the step never
 * waits for augmentation while a batch is ready to be built.
 *
 * <p>The examples are taken from the pass in order on the caller's thread, a batch at a time; each
 * batch is then augmented whole on one worker thread with its own generator, seeded by the batch's
 * index, exactly as the loop did on its own thread. So the batches are the same whatever the
 * number of threads, and the pass position recorded with a batch is the one after its last example,
 * which is what a checkpoint taken after that batch must hold (the pass itself is ahead by then).
 *
 * <p>At most {@code ahead} batches are in flight and one more is lent to the caller: memory is
 * {@code (ahead + 1)} batches of floats, whatever the epoch's size.
 */
final class AugmentedBatches implements AutoCloseable {

  /** A batch ready for the step: the first {@code count} images and targets are filled. */
  record Batch(float[] images, float[] targets, int count, long positionAfter) {
  }

  private final TrainingSet.Pass pass;
  private final PixelTransform transform;
  private final ExecutorService workers;
  private final IntToLongFunction seedOfBatch;
  private final int batchSize;
  private final int pixels;
  private final int classes;
  private final int ahead;
  private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
  private final ArrayDeque<Batch> free = new ArrayDeque<>();
  private Batch lent;
  private int nextBatch;
  private boolean passEnded;

  /**
   * Batches of {@code pass} from batch index {@code firstBatch} on (a resumed epoch starts past
   * its trained batches); {@code seedOfBatch} gives the augmentation seed of a batch index.
   */
  AugmentedBatches(TrainingSet.Pass pass, PixelTransform transform, ExecutorService workers, int ahead,
      IntToLongFunction seedOfBatch, int firstBatch, int batchSize, int pixels, int classes) {
    if (ahead < 1) {
      throw new IllegalArgumentException("ahead must be at least 1, was " + ahead);
    }
    this.pass = pass;
    this.transform = transform;
    this.workers = workers;
    this.ahead = ahead;
    this.seedOfBatch = seedOfBatch;
    this.nextBatch = firstBatch;
    this.batchSize = batchSize;
    this.pixels = pixels;
    this.classes = classes;
  }

  /**
   * The next batch, or null at the end of the epoch. The batch returned before this call is
   * taken back: its arrays are refilled with a later batch.
   */
  Batch next() throws IOException {
    if (lent != null) {
      free.add(lent);
      lent = null;
    }
    fill();
    Future<Batch> head = inFlight.poll();
    if (head == null) {
      return null;
    }
    lent = await(head);
    fill();
    return lent;
  }

  private void fill() throws IOException {
    while (!passEnded && inFlight.size() < ahead) {
      TrainingExample[] examples = new TrainingExample[batchSize];
      int count = 0;
      for (TrainingExample example; count < batchSize && (example = pass.next()) != null; count++) {
        examples[count] = example;
      }
      passEnded = count < batchSize;
      if (count == 0) {
        return;
      }
      Batch arrays = free.isEmpty() ? new Batch(new float[batchSize * pixels], new float[batchSize * classes], 0, 0)
          : free.poll();
      long seed = seedOfBatch.applyAsLong(nextBatch++);
      long position = pass.position();
      int filled = count;
      inFlight.add(workers.submit(() -> augment(examples, filled, seed, arrays, position)));
    }
  }

  private Batch augment(TrainingExample[] examples, int count, long seed, Batch arrays, long position) {
    Random random = new Random(seed);
    for (int i = 0; i < count; i++) {
      transform.apply(examples[i].image(), arrays.images(), i * pixels, random);
      examples[i].writeTarget(arrays.targets(), i * classes, classes);
    }
    return new Batch(arrays.images(), arrays.targets(), count, position);
  }

  private static Batch await(Future<Batch> batch) throws IOException {
    try {
      return batch.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for an augmented batch");
    } catch (ExecutionException e) {
      // The worker's own exception, as if the loop had augmented the batch itself.
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException unchecked) {
        throw unchecked.getCause();
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IOException(cause);
    }
  }

  /** Drops the batches still in flight; their threads finish the one they are on. */
  @Override
  public void close() {
    inFlight.forEach(batch -> batch.cancel(false));
    inFlight.clear();
  }
}
