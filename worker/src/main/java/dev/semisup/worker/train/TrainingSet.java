package dev.semisup.worker.train;

import dev.semisup.worker.data.TrainingExample;
import java.io.Closeable;
import java.io.IOException;

/**
 * What a training loop reads: one pass per epoch, in an order that is a pure function of the
 * seed, the epoch and the data, so a pass can be reopened at any position after a restart and
 * go on exactly as the interrupted one would have.
 */
public interface TrainingSet {

  int classes();

  /**
   * Examples in one epoch, as planned (it fixes the batches per epoch of the learning-rate
   * schedule). A stream that skips corrupt images delivers that many fewer.
   */
  long examplesPerEpoch();

  /**
   * Epoch {@code epoch}'s pass, positioned after its first {@code position} examples as counted
   * by {@link Pass#position()}: the examples a killed run had already trained on are passed over.
   */
  Pass epoch(long seed, int epoch, long position) throws IOException;

  /** One epoch's examples in that epoch's order. */
  interface Pass extends Closeable {

    /** The next example; null at the end of the epoch. */
    TrainingExample next() throws IOException;

    /** Examples taken from the epoch's order so far, skipped corrupt ones included. */
    long position();

    /** Corrupt images skipped by this pass (since it was opened). */
    default long skipped() {
      return 0;
    }
  }

  /** The seed of one epoch's order; the same formula the loop has always used. */
  static long epochSeed(long seed, int epoch) {
    return seed * 1_000_003L + epoch;
  }
}
