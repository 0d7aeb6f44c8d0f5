package dev.semisup.worker.model;

import dev.semisup.api.v1alpha1.NoiseSpec;

/**
 * Model noise (Noisy Student): dropout before the classifier and stochastic depth on residual
 * blocks. Zero for the teacher and, as in the paper, for the student by default.
 */
public record Regularization(float dropout, float stochasticDepth) {

  public static final Regularization NONE = new Regularization(0f, 0f);

  public static Regularization of(NoiseSpec noise) {
    if (noise == null) {
      return NONE;
    }
    return new Regularization(
        noise.getDropout() == null ? 0f : noise.getDropout().floatValue(),
        noise.getStochasticDepth() == null ? 0f : noise.getStochasticDepth().floatValue());
  }
}
