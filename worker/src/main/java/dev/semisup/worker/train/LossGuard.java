package dev.semisup.worker.train;

import java.io.IOException;
import java.util.Optional;

/**
 * Stops training at the first batch whose loss is not finite. Once the loss is NaN or infinite the
 * parameters are too, and every later step, checkpoint and model built on them is garbage (the
 * pool's scores become NaN two stages later, far from the cause). Nearly always the learning rate
 * is too high for the data, so the stage fails there, naming the epoch and the rate, and writes no
 * checkpoint of the broken epoch and no _SUCCESS.
 *
 * <p>A finite loss does not prove finite parameters: the loss is measured before the step's
 * update, so the last step can turn them NaN with every loss finite. The parameters are checked
 * too, at the end of every epoch, before its checkpoint is written.
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

    Diverged(String parameter, int epoch, double learningRate) {
      super("parameter " + parameter + " became NaN or infinite at epoch " + epoch + ", though every batch loss was"
          + " finite (learning rate " + learningRate + " at its last step)");
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

  /**
   * Throws {@link Diverged} when a parameter is not finite after an epoch's last step.
   *
   * @param broken the first parameter holding NaN or an infinity, empty when all are finite
   */
  public static void checkParameters(Optional<String> broken, int epoch, double learningRate) throws Diverged {
    if (broken.isPresent()) {
      throw new Diverged(broken.get(), epoch, learningRate);
    }
  }
}
