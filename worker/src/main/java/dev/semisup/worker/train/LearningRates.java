package dev.semisup.worker.train;

import dev.semisup.api.v1alpha1.LearningRateSchedule;

/**
 * Learning rate at a point of training: a linear warm-up over the first epoch (large-batch SGD
 * is unstable without it, Goyal et al. 2017), then the spec's schedule over the remaining steps.
 */
public final class LearningRates {

  private LearningRates() {
  }

  /**
   * @param step  global step, 0-based
   * @param total total steps of the training
   * @param warmup steps of linear warm-up
   */
  public static float at(LearningRateSchedule schedule, double peak, long step, long total, long warmup) {
    if (step < warmup) {
      return (float) (peak * (step + 1) / warmup);
    }
    double progress = total <= warmup ? 1.0 : (double) (step - warmup) / (total - warmup);
    return switch (schedule) {
      case CONSTANT -> (float) peak;
      case COSINE -> (float) (peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress))));
      case STEP -> (float) (progress < 0.5 ? peak : progress < 0.75 ? peak * 0.1 : peak * 0.01);
    };
  }
}
