package dev.semisup.worker.data.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.v1alpha1.Architecture;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.model.InputNormalisation;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.PixelBatch;
import dev.semisup.worker.model.Regularization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Infer hands the teacher 8-bit pixels and lets the engine normalise them: on real photos (seeded
 * 500 x 375 JPEGs decoded and fitted as infer does) the probabilities are those of the host-side
 * float normalisation infer used before, within 1e-5.
 */
class InferPixelScoresTest {

  private static final double[] MEAN = {0.485, 0.456, 0.406};
  private static final double[] STD = {0.229, 0.224, 0.225};

  @Test
  void engineNormalisedPixelsScoreAsHostNormalisedFloats() throws IOException {
    ImageGeometry geometry = new ImageGeometry(3, 64);
    ModelShape shape = new ModelShape(3, 64, 10);
    Augmentation plain = new Augmentation(Augmentation.Strength.NONE, geometry, MEAN, STD, false);
    List<ImageRecord> photos = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      byte[] jpeg = ImageDecoderTest.jpeg(ImageDecoderTest.photo(500, 375, 40 + i), 0.9f, false);
      photos.add(ImageDecoder.decodeFitted(jpeg, i, "photo-" + i, -1, geometry));
    }
    float[] floats = new float[photos.size() * shape.pixels()];
    PixelBatch pixels = new PixelBatch(8, shape.pixels());
    for (int i = 0; i < photos.size(); i++) {
      plain.apply(photos.get(i), new SplittableRandom(0), floats, i * shape.pixels());
      pixels.add(photos.get(i).pixels());
    }
    try (Network network = Network.create(Architecture.CNN_SMALL, shape, Regularization.NONE, 11)) {
      float[] before = network.probabilities(floats, photos.size());
      float[] now = network.probabilities(pixels, InputNormalisation.of(MEAN, STD));
      assertThat(now).hasSameSizeAs(before);
      double largest = 0;
      double spread = 0;
      for (int i = 0; i < before.length; i++) {
        largest = Math.max(largest, Math.abs(before[i] - now[i]));
        spread = Math.max(spread, Math.abs(before[i] - before[i % shape.classes()]));
      }
      assertThat(largest).as("largest difference of a probability").isLessThanOrEqualTo(1e-5);
      assertThat(spread).as("the photos score differently (a test that can fail)").isGreaterThan(1e-4);
    }
  }
}
