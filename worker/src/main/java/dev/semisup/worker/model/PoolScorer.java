package dev.semisup.worker.model;

import ai.djl.Device;

/**
 * A model that scores the pool: batches of images ({@link #shape()}), normalised floats or 8-bit
 * pixels the engine normalises, in; class probabilities out. A network of this project ({@link Network}) or a TorchScript file brought by
 * the user ({@link TorchScriptNetwork}); infer sees only this.
 */
public interface PoolScorer extends AutoCloseable {

  /** The images it takes and the classes it scores. */
  ModelShape shape();

  Device device();

  /**
   * Class probabilities (softmax) for {@code count} images laid out in {@code images}, in
   * inference mode; returns count x classes floats.
   */
  float[] probabilities(float[] images, int count);

  /**
   * Class probabilities for the 8-bit images of {@code batch}, normalised by the engine on the
   * model's device ({@link InputNormalisation}); returns batch.count() x classes floats. The batch
   * is read during the call only: its caller may refill it afterwards.
   */
  float[] probabilities(PixelBatch batch, InputNormalisation normalisation);

  /** Another instance with the same weights on {@code device}, for one replica per device. */
  PoolScorer replica(Device device);

  @Override
  void close();
}
