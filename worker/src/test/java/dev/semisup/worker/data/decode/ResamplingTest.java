package dev.semisup.worker.data.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The resize against the implementation it replaced (kept below as {@link Reference}): same filter,
 * same sums in the same order, so the same bytes, on random images of random shapes, shrinking and
 * enlarging, one and three channels, from channel-major planes and from interleaved samples.
 */
class ResamplingTest {

  private static final int IMAGES = 300;

  @Test
  void channelMajorIsBitIdenticalToTheReference() {
    Random random = new Random(10);
    for (int n = 0; n < IMAGES; n++) {
      Case image = Case.random(random);
      byte[] pixels = image.pixels(random);

      byte[] expected = Reference.centreSquare(pixels, image.channels, image.height, image.width, image.size);

      assertThat(Resampling.centreSquare(pixels, image.channels, image.height, image.width, image.size))
          .as(image.toString()).isEqualTo(expected);
    }
  }

  @Test
  void interleavedIsBitIdenticalToTheReferenceOnTheSameImage() {
    Random random = new Random(11);
    for (int n = 0; n < IMAGES; n++) {
      Case image = Case.random(random);
      byte[] pixels = image.pixels(random);
      // A longer array than the image, as a reused decode buffer is: the tail must not be read.
      byte[] samples = new byte[pixels.length + random.nextInt(50)];
      random.nextBytes(samples);
      int plane = image.height * image.width;
      for (int c = 0; c < image.channels; c++) {
        for (int i = 0; i < plane; i++) {
          samples[i * image.channels + c] = pixels[c * plane + i];
        }
      }

      byte[] expected = Reference.centreSquare(pixels, image.channels, image.height, image.width, image.size);

      assertThat(Resampling.centreSquareInterleaved(samples, image.channels, image.height, image.width, image.size))
          .as(image.toString()).isEqualTo(expected);
    }
  }

  @Test
  void photoSizesTheDecoderProducesAreBitIdentical() {
    // The shapes of the bench and of reduced decodes: 500x375 and 1000x750 at 1/2, a portrait, 224 itself.
    Random random = new Random(12);
    int[][] shapes = {{375, 500}, {500, 375}, {375, 500}, {224, 224}, {240, 320}, {188, 250}, {94, 125}};
    for (int[] shape : shapes) {
      for (int channels : new int[] {1, 3}) {
        Case image = new Case(channels, shape[0], shape[1], 224);
        byte[] pixels = image.pixels(random);
        assertThat(Resampling.centreSquare(pixels, channels, shape[0], shape[1], 224)).as(image.toString())
            .isEqualTo(Reference.centreSquare(pixels, channels, shape[0], shape[1], 224));
      }
    }
  }

  /** One random image shape and target size. */
  private record Case(int channels, int height, int width, int size) {

    static Case random(Random random) {
      int channels = random.nextBoolean() ? 1 : 3;
      int height = 1 + random.nextInt(random.nextBoolean() ? 12 : 400);
      int width = 1 + random.nextInt(random.nextBoolean() ? 12 : 400);
      int side = Math.min(height, width);
      // Shrinking by up to 9x, the same size, and enlarging by up to 4x.
      int size = switch (random.nextInt(3)) {
        case 0 -> Math.max(1, side / (1 + random.nextInt(9)) - random.nextInt(3));
        case 1 -> side;
        default -> side + 1 + random.nextInt(3 * side + 2);
      };
      return new Case(channels, height, width, Math.max(1, size));
    }

    byte[] pixels(Random random) {
      byte[] pixels = new byte[channels * height * width];
      random.nextBytes(pixels);
      // Some flat runs of 0 and 255 too, where clamping and rounding at the ends matter.
      for (int i = 0; i < pixels.length; i += 1 + random.nextInt(64)) {
        int run = Math.min(pixels.length - i, random.nextInt(20));
        byte value = random.nextBoolean() ? 0 : (byte) 255;
        for (int j = 0; j < run; j++) {
          pixels[i + j] = value;
        }
        i += run;
      }
      return pixels;
    }
  }

  /** The resize as it was before the interleaved rewrite (commit 5ff4d4f), verbatim: the reference. */
  static final class Reference {

    private Reference() {
    }

    static byte[] centreSquare(byte[] pixels, int channels, int height, int width, int size) {
      int side = Math.min(height, width);
      int top = (height - side) / 2;
      int left = (width - side) / 2;
      Resampling.Axis axis = Resampling.Axis.of(side, size);
      float[] input = new float[side];
      float[] row = new float[side];
      // After the vertical pass: transposed[x * size + y] = output row y at input column x.
      float[] transposed = new float[side * size];
      float[] column = new float[size];
      byte[] out = new byte[channels * size * size];
      for (int c = 0; c < channels; c++) {
        int plane = c * height * width;
        for (int y = 0; y < size; y++) {
          // Vertical pass: output row y is a weighted sum of `count` input rows of the square.
          java.util.Arrays.fill(row, 0f);
          int first = axis.first[y];
          int base = y * axis.taps;
          for (int k = 0; k < axis.count[y]; k++) {
            float weight = axis.weights[base + k];
            int rowStart = plane + (top + first + k) * width + left;
            for (int x = 0; x < side; x++) {
              input[x] = pixels[rowStart + x] & 0xff;
            }
            for (int x = 0; x < side; x++) {
              row[x] += weight * input[x];
            }
          }
          for (int x = 0; x < side; x++) {
            transposed[x * size + y] = row[x];
          }
        }
        int outPlane = c * size * size;
        for (int x = 0; x < size; x++) {
          // Horizontal pass: output column x is a weighted sum of `count` transposed rows.
          java.util.Arrays.fill(column, 0f);
          int first = axis.first[x];
          int base = x * axis.taps;
          for (int k = 0; k < axis.count[x]; k++) {
            float weight = axis.weights[base + k];
            int from = (first + k) * size;
            for (int y = 0; y < size; y++) {
              column[y] += weight * transposed[from + y];
            }
          }
          for (int y = 0; y < size; y++) {
            // Weights are non-negative, so + 0.5 and truncation round to nearest, as Math.round
            // does, at a fraction of its cost.
            out[outPlane + y * size + x] = (byte) (int) (Math.min(255f, Math.max(0f, column[y])) + 0.5f);
          }
        }
      }
      return out;
    }
  }
}
