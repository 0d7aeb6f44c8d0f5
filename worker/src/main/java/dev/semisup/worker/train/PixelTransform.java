package dev.semisup.worker.train;

import java.util.Random;

/** Turns one 8-bit image into normalised model input, augmenting it with the given generator. */
@FunctionalInterface
public interface PixelTransform {

  void apply(byte[] pixels, float[] out, int offset, Random random);
}
