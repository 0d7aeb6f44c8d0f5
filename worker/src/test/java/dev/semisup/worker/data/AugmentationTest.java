package dev.semisup.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.Augmentation.Strength;
import dev.semisup.worker.data.decode.ImageGeometry;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {

  private static final ImageGeometry RGB8 = new ImageGeometry(3, 8);
  private static final double[] MEAN = {0.4, 0.5, 0.6};
  private static final double[] STD = {0.2, 0.25, 0.3};

  private static ImageRecord image() {
    return new ImageRecord(0, "k", 1, 3, 8, 8, DataFiles.pixels(3, 3 * 64));
  }

  private static Augmentation augmentation(Strength strength, boolean flips) {
    return new Augmentation(strength, RGB8, MEAN, STD, flips);
  }

  private static float[] apply(Augmentation augmentation, ImageRecord image, long seed) {
    float[] out = new float[5 + augmentation.floatsPerImage()];
    augmentation.apply(image, new Random(seed), out, 5);
    return out;
  }

  @Test
  void noneIsExactNormalizationAtTheOffset() {
    ImageRecord image = image();
    float[] out = new float[10 + 3 * 64];
    out[9] = 42f;

    augmentation(Strength.NONE, true).apply(image, new Random(1), out, 10);

    assertThat(out[9]).isEqualTo(42f);
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 64; i++) {
        int x = image.pixels()[c * 64 + i] & 0xff;
        assertThat(out[10 + c * 64 + i]).isEqualTo((float) ((x / 255.0 - MEAN[c]) / STD[c]));
      }
    }
  }

  @Test
  void sameSeedSameFloatsOtherSeedOtherFloats() {
    for (Strength strength : new Strength[] {Strength.STANDARD, Strength.STRONG}) {
      Augmentation augmentation = augmentation(strength, true);
      float[] first = apply(augmentation, image(), 7);

      assertThat(apply(augmentation, image(), 7)).isEqualTo(first);
      boolean differs = false;
      for (long seed = 8; seed < 20 && !differs; seed++) {
        differs = !Arrays.equals(apply(augmentation, image(), seed), first);
      }
      assertThat(differs).as(strength.name()).isTrue();
    }
    // SplittableRandom works too, and is as deterministic.
    float[] a = new float[3 * 64];
    float[] b = new float[3 * 64];
    augmentation(Strength.STRONG, true).apply(image(), new SplittableRandom(3), a, 0);
    augmentation(Strength.STRONG, true).apply(image(), new SplittableRandom(3), b, 0);
    assertThat(a).isEqualTo(b);
  }

  @Test
  void standardIsAPaddedShiftOfTheNormalizedImage() {
    Augmentation augmentation = augmentation(Strength.STANDARD, false);
    float[] plain = new float[3 * 64];
    augmentation(Strength.NONE, false).apply(image(), new Random(0), plain, 0);
    float black0 = (float) ((0 - MEAN[0]) / STD[0]);
    assertThat(augmentation.padding()).isEqualTo(1);

    for (long seed = 0; seed < 30; seed++) {
      float[] out = apply(augmentation, image(), seed);
      // Recover the shift from the random draws the augmentation makes, in its order.
      Random random = new Random(seed);
      int dy = random.nextInt(-1, 2);
      int dx = random.nextInt(-1, 2);
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          int sy = y + dy;
          int sx = x + dx;
          float expected = sy < 0 || sy >= 8 || sx < 0 || sx >= 8 ? black0 : plain[sy * 8 + sx];
          assertThat(out[5 + y * 8 + x]).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void flipHappensOnlyWhenFlipsKeepTheClass() {
    // A one-pixel-wide column image: crops shift it by at most 1, a flip moves it across.
    byte[] pixels = new byte[3 * 64];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 8; y++) {
        pixels[c * 64 + y * 8 + 1] = (byte) 255;
      }
    }
    ImageRecord column = new ImageRecord(0, "col", 0, 3, 8, 8, pixels);
    float white0 = (float) ((1 - MEAN[0]) / STD[0]);

    int flippedWith = 0;
    int flippedWithout = 0;
    for (long seed = 0; seed < 200; seed++) {
      flippedWith += brightColumn(apply(augmentation(Strength.STANDARD, true), column, seed), white0) >= 4 ? 1 : 0;
      flippedWithout += brightColumn(apply(augmentation(Strength.STANDARD, false), column, seed), white0) >= 4 ? 1 : 0;
    }
    assertThat(flippedWithout).isZero();
    assertThat(flippedWith).isBetween(60, 140);
  }

  private static int brightColumn(float[] out, float white) {
    for (int x = 0; x < 8; x++) {
      if (out[5 + 4 * 8 + x] == white) {
        return x;
      }
    }
    return -1;
  }

  @Test
  void strongErasesARectangleToZero() {
    Augmentation strong = augmentation(Strength.STRONG, true);
    for (long seed = 0; seed < 20; seed++) {
      float[] out = apply(strong, image(), seed);
      int zeros = 0;
      for (int i = 0; i < 64; i++) {
        boolean erased = out[5 + i] == 0f && out[5 + 64 + i] == 0f && out[5 + 128 + i] == 0f;
        zeros += erased ? 1 : 0;
      }
      // Sides in [size/8, size/2] = [1, 4].
      assertThat(zeros).as("seed " + seed).isBetween(1, 16);
    }
  }

  @Test
  void strongJittersBrightnessOrContrast() {
    // No shift (a flat image) and no erasure outside the rectangle: values differ from plain.
    byte[] flat = new byte[3 * 64];
    Arrays.fill(flat, (byte) 100);
    ImageRecord image = new ImageRecord(0, "flat", 0, 3, 8, 8, flat);
    float plain = (float) ((100 / 255.0 - MEAN[0]) / STD[0]);

    boolean jittered = false;
    for (long seed = 0; seed < 5 && !jittered; seed++) {
      float[] out = apply(augmentation(Strength.STRONG, false), image, seed);
      for (int i = 0; i < 64; i++) {
        float value = out[5 + i];
        jittered |= value != 0f && value != plain && value != (float) ((0 - MEAN[0]) / STD[0]);
      }
    }
    assertThat(jittered).isTrue();
  }

  @Test
  void imageMustBeAtTheRunGeometry() {
    ImageRecord small = new ImageRecord(0, "small", 0, 1, 4, 4, new byte[16]);

    assertThatThrownBy(() -> augmentation(Strength.NONE, true).apply(small, new Random(), new float[300], 0))
        .hasMessage("image small is 1x4x4, augmentation expects 3x8x8");
  }

  @Test
  void paddingIsAnEighthOfTheSide() {
    assertThat(new Augmentation(Strength.STANDARD, new ImageGeometry(1, 28), new double[] {0.5}, new double[] {0.25}, true).padding()).isEqualTo(3);
    assertThat(new Augmentation(Strength.STANDARD, new ImageGeometry(3, 32), MEAN, STD, true).padding()).isEqualTo(4);
  }
}
