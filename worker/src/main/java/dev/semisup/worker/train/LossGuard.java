package dev.semisup.worker.train;

import java.io.IOException;

/**
 * Stops training at the first batch whose loss is not finite. Once the loss is NaN or infinite the
 * parameters are too, and every later step, checkpoint and model built on them is garbage (the
 * pool's scores become NaN two stages later, far from the cause). Nearly always the learning rate
 * is too high for the data, so the stage fails there, naming the epoch and the rate, and writes no
 * checkpoint of the broken epoch and no _SUCCESS.
 */
public final class LossGuard {

  /** Training diverged: the loss of one batch was not finite. */
  public static final class Diverged extends IOException {

    private final int epoch;
    private final double learningRate;

    Diverged(float loss, int epoch, int batch, double learningRate) {
      super("the training loss became " + loss + " at epoch " + epoch + ", batch " + batch
          + " (learning rate " + learningRate + " at that step)");
      this.epoch = epoch;
      this.learningRate = learningRate;
    }

    public int epoch() {
      return epoch;
    }

    public double learningRate() {
      return learningRate;
    }
  }

  private LossGuard() {
  }

  /** Throws {@link Diverged} unless the batch loss is finite. */
  public static void check(float loss, int epoch, int batch, double learningRate) throws Diverged {
    if (!Float.isFinite(loss)) {
      throw new Diverged(loss, epoch, batch, learningRate);
    }
  }
}
