package dev.semisup.worker.train;

import dev.semisup.worker.data.ImageRecord;
import java.util.Random;

/** Turns one image into normalised model input, augmenting it with the given generator. */
@FunctionalInterface
public interface PixelTransform {

  void apply(ImageRecord image, float[] out, int offset, Random random);
}
