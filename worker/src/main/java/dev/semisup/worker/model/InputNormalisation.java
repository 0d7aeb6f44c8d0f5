package dev.semisup.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The normalisation a model's input gets, {@code (x / 255 - mean[c]) / std[c]} per channel,
 * applied by the engine to a batch of 8-bit pixels ({@link PixelBatch}) on the model's device.
 * The same formula as the host's ({@code Augmentation} with strength NONE), in float arithmetic
 * instead of double: inputs differ by float rounding only.
 */
public final class InputNormalisation {

  private final float[] mean;
  private final float[] std;

  public InputNormalisation(float[] mean, float[] std) {
    if (mean.length != std.length || mean.length < 1) {
      throw new IllegalArgumentException("mean and std: one value per channel each, have " + mean.length + " and "
          + std.length);
    }
    this.mean = mean.clone();
    this.std = std.clone();
  }

  public static InputNormalisation of(double[] mean, double[] std) {
    float[] m = new float[mean.length];
    float[] s = new float[std.length];
    for (int c = 0; c < m.length; c++) {
      m[c] = (float) mean[c];
    }
    for (int c = 0; c < s.length; c++) {
      s[c] = (float) std[c];
    }
    return new InputNormalisation(m, s);
  }

  /** The batch's images as the model's float input (count x channels x size x size), made in {@code manager}. */
  NDArray input(NDManager manager, PixelBatch batch, ModelShape shape) {
    if (shape.channels() != mean.length) {
      throw new IllegalArgumentException("a normalisation of " + mean.length + " channels for a model of "
          + shape.channels());
    }
    if (batch.imagePixels() != shape.pixels()) {
      throw new IllegalArgumentException("a batch of images of " + batch.imagePixels() + " pixels for a model of "
          + shape.pixels());
    }
    Shape perChannel = new Shape(1, shape.channels(), 1, 1);
    NDArray pixels = manager.create(batch.images(), Network.inputShape(shape, batch.count()), DataType.UINT8);
    return pixels.toType(DataType.FLOAT32, false).div(255f)
        .sub(manager.create(mean, perChannel))
        .div(manager.create(std, perChannel));
  }
}
