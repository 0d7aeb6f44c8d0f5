package dev.semisup.worker.data.decode;

import java.util.Arrays;

/**
 * Separable resampling of the centred square of an 8-bit image to size x size: area average when
 * shrinking, bilinear when enlarging. Each output pixel is a weighted sum of input pixels; the
 * weights of one axis are computed once per image, not per pixel.
 *
 * <p>The input is interleaved ({@code channels} samples per pixel, as libjpeg-turbo writes it) or
 * one plane of a channel-major image (an interleaved image of one channel); the output is always
 * channel-major, the worker's layout. Reading interleaved samples directly spares the decoder a
 * full-size channel-major copy that cost about as much as the decoding (bench/README.md, "Decoding
 * one image").
 *
 * <p>The vertical pass comes first and runs along whole interleaved rows of the square (every
 * channel at once): each input row is turned into floats once and kept while the next output row
 * still needs it, and an output row is two or three rows multiplied and added, simple contiguous
 * loops the JIT compiles to SIMD. The horizontal pass then gathers the few taps of each output pixel
 * from that one float row, all channels of a pixel together. Sums run in the same order as they
 * always did (vertical taps, then horizontal taps, each from zero), and Java never fuses a multiply
 * into an add, so the results are bit-identical to the earlier transposing implementation (the
 * tests keep it as the reference).
 */
public final class Resampling {

  private Resampling() {
  }

  /** Resamples the centred square of a channel-major height x width image to size x size. */
  static byte[] centreSquare(byte[] pixels, int channels, int height, int width, int size) {
    Square square = new Square(height, width, size);
    byte[] out = new byte[channels * size * size];
    for (int c = 0; c < channels; c++) {
      // One plane at a time: a plane is an interleaved image of one channel.
      square.resample(pixels, c * height * width, width, 1, out, c * size * size);
    }
    return out;
  }

  /**
   * Resamples the centred square of an interleaved height x width image ({@code channels} samples
   * per pixel, rows of {@code width * channels} bytes from index 0; the array may be longer) to a
   * channel-major size x size image.
   */
  static byte[] centreSquareInterleaved(byte[] samples, int channels, int height, int width, int size) {
    Square square = new Square(height, width, size);
    byte[] out = new byte[channels * size * size];
    square.resample(samples, 0, width * channels, channels, out, 0);
    return out;
  }

  /**
   * Resamples a whole channel-major height x width image to outHeight x outWidth (no crop), with the
   * same filter as the centre square: pack shrinks an image once with it, so the student's
   * centre-square fit of the smaller image sees what it would have seen of the original.
   */
  public static byte[] resize(byte[] pixels, int channels, int height, int width, int outHeight, int outWidth) {
    Axis vertical = Axis.of(height, outHeight);
    Axis horizontal = Axis.of(width, outWidth);
    byte[] out = new byte[channels * outHeight * outWidth];
    float[] row = new float[width];
    for (int c = 0; c < channels; c++) {
      int plane = c * height * width;
      int outPlane = c * outHeight * outWidth;
      for (int y = 0; y < outHeight; y++) {
        Arrays.fill(row, 0f);
        for (int k = 0; k < vertical.count[y]; k++) {
          float w = vertical.weights[y * vertical.taps + k];
          int from = plane + (vertical.first[y] + k) * width;
          for (int x = 0; x < width; x++) {
            row[x] += w * (pixels[from + x] & 0xff);
          }
        }
        for (int x = 0; x < outWidth; x++) {
          float sum = 0f;
          for (int k = 0; k < horizontal.count[x]; k++) {
            sum += horizontal.weights[x * horizontal.taps + k] * row[horizontal.first[x] + k];
          }
          out[outPlane + y * outWidth + x] = toByte(sum);
        }
      }
    }
    return out;
  }

  /** The centred square of one image size and the filter taps that take it to size x size. */
  private static final class Square {
    final int side;
    final int top;
    final int left;
    final int size;
    final Axis axis;

    Square(int height, int width, int size) {
      this.side = Math.min(height, width);
      this.top = (height - side) / 2;
      this.left = (width - side) / 2;
      this.size = size;
      this.axis = Axis.of(side, size);
    }

    /**
     * Resamples the square of the image at {@code offset} (rows {@code stride} bytes apart,
     * {@code channels} samples per pixel) into channel-major planes of {@code out}, plane c at
     * {@code outOffset + c * size * size}.
     */
    void resample(byte[] in, int offset, int stride, int channels, byte[] out, int outOffset) {
      int rowLength = side * channels;
      int taps = axis.taps;
      // Input rows as floats, a ring of `taps` rows: an output row needs at most `taps` consecutive
      // input rows, and the next output row starts at or after this one's first.
      float[][] ring = new float[taps][rowLength];
      int[] held = new int[taps];
      Arrays.fill(held, -1);
      float[] row = new float[rowLength];
      // Horizontal taps padded to `taps` per output with zero weights (adding 0 * v changes no
      // sum), so the gather loop has one shape; padded positions point at the last pixel.
      int[] at = new int[size * taps];
      float[] weight = new float[size * taps];
      for (int x = 0; x < size; x++) {
        for (int k = 0; k < taps; k++) {
          at[x * taps + k] = Math.min(axis.first[x] + k, side - 1) * channels;
          weight[x * taps + k] = k < axis.count[x] ? axis.weights[x * taps + k] : 0f;
        }
      }
      int plane = size * size;
      for (int y = 0; y < size; y++) {
        verticalPass(y, in, offset, stride, channels, ring, held, row);
        int outRow = outOffset + y * size;
        if (channels == 3) {
          horizontalPassRgb(row, at, weight, taps, out, outRow, plane);
        } else {
          for (int c = 0; c < channels; c++) {
            horizontalPass(row, c, at, weight, taps, out, outRow + c * plane);
          }
        }
      }
    }

    /** Output row y along the whole square's row, all channels: a weighted sum of input rows. */
    private void verticalPass(int y, byte[] in, int offset, int stride, int channels, float[][] ring, int[] held,
        float[] row) {
      int first = axis.first[y];
      int count = axis.count[y];
      int base = y * axis.taps;
      int n = row.length;
      float w0 = axis.weights[base];
      float[] a = inputRow(first, in, offset, stride, channels, ring, held);
      // Each sum starts from zero, as 0 + w0 * a == w0 * a exactly; the terms are added in tap order.
      if (count == 1) {
        for (int i = 0; i < n; i++) {
          row[i] = w0 * a[i];
        }
        return;
      }
      float w1 = axis.weights[base + 1];
      float[] b = inputRow(first + 1, in, offset, stride, channels, ring, held);
      if (count == 2) {
        for (int i = 0; i < n; i++) {
          row[i] = w0 * a[i] + w1 * b[i];
        }
        return;
      }
      float w2 = axis.weights[base + 2];
      float[] c = inputRow(first + 2, in, offset, stride, channels, ring, held);
      for (int i = 0; i < n; i++) {
        row[i] = w0 * a[i] + w1 * b[i] + w2 * c[i];
      }
      for (int k = 3; k < count; k++) {
        float w = axis.weights[base + k];
        float[] d = inputRow(first + k, in, offset, stride, channels, ring, held);
        for (int i = 0; i < n; i++) {
          row[i] += w * d[i];
        }
      }
    }

    /** Row r of the square as floats, converted once and kept in the ring while later rows need it. */
    private float[] inputRow(int r, byte[] in, int offset, int stride, int channels, float[][] ring, int[] held) {
      int slot = r % ring.length;
      float[] floats = ring[slot];
      if (held[slot] != r) {
        int from = offset + (top + r) * stride + left * channels;
        for (int i = 0; i < floats.length; i++) {
          floats[i] = in[from + i] & 0xff;
        }
        held[slot] = r;
      }
      return floats;
    }
  }

  /** One channel of an output row: each pixel sums its horizontal taps from the vertical pass's row. */
  private static void horizontalPass(float[] row, int channel, int[] at, float[] weight, int taps, byte[] out,
      int outRow) {
    int size = at.length / taps;
    if (taps == 3) {
      for (int x = 0, t = 0; x < size; x++, t += 3) {
        out[outRow + x] = toByte(weight[t] * row[at[t] + channel] + weight[t + 1] * row[at[t + 1] + channel]
            + weight[t + 2] * row[at[t + 2] + channel]);
      }
      return;
    }
    for (int x = 0, t = 0; x < size; x++) {
      float sum = 0f;
      for (int k = 0; k < taps; k++, t++) {
        sum += weight[t] * row[at[t] + channel];
      }
      out[outRow + x] = toByte(sum);
    }
  }

  /**
   * The three channels of an output row together: a pixel's samples sit side by side in the row.
   * Three taps (every shrink by up to 2x, which is what a reduced JPEG decode leaves) are spelled
   * out: a loop of unknown length around three short dependency chains measured slower.
   */
  private static void horizontalPassRgb(float[] row, int[] at, float[] weight, int taps, byte[] out, int outRow,
      int plane) {
    int size = at.length / taps;
    if (taps == 3) {
      for (int x = 0, t = 0; x < size; x++, t += 3) {
        float w0 = weight[t];
        float w1 = weight[t + 1];
        float w2 = weight[t + 2];
        int i0 = at[t];
        int i1 = at[t + 1];
        int i2 = at[t + 2];
        out[outRow + x] = toByte(w0 * row[i0] + w1 * row[i1] + w2 * row[i2]);
        out[outRow + plane + x] = toByte(w0 * row[i0 + 1] + w1 * row[i1 + 1] + w2 * row[i2 + 1]);
        out[outRow + 2 * plane + x] = toByte(w0 * row[i0 + 2] + w1 * row[i1 + 2] + w2 * row[i2 + 2]);
      }
      return;
    }
    for (int x = 0, t = 0; x < size; x++) {
      float r = 0f;
      float g = 0f;
      float b = 0f;
      for (int k = 0; k < taps; k++, t++) {
        float w = weight[t];
        int i = at[t];
        r += w * row[i];
        g += w * row[i + 1];
        b += w * row[i + 2];
      }
      out[outRow + x] = toByte(r);
      out[outRow + plane + x] = toByte(g);
      out[outRow + 2 * plane + x] = toByte(b);
    }
  }

  /**
   * A sum of non-negative weights times samples (so never below 0, and above 255 only by float
   * rounding), clamped and rounded to nearest: + 0.5 and truncation do what Math.round does, at a
   * fraction of its cost. The same bytes as clamping to [0, 255] before adding the half.
   */
  private static byte toByte(float value) {
    return (byte) Math.min(255, (int) (value + 0.5f));
  }

  /** Which input pixels (first, count) and weights make each output pixel along one axis. */
  static final class Axis {
    final int[] first;
    final int[] count;
    final float[] weights;
    final int taps;

    private Axis(int outputs, int taps) {
      this.first = new int[outputs];
      this.count = new int[outputs];
      this.weights = new float[outputs * taps];
      this.taps = taps;
    }

    static Axis of(int input, int output) {
      double scale = (double) input / output;
      return scale > 1 ? area(input, output, scale) : bilinear(input, output, scale);
    }

    /** Shrinking: each output pixel is the mean of the input span it covers, partial pixels weighted. */
    private static Axis area(int input, int output, double scale) {
      Axis axis = new Axis(output, (int) Math.ceil(scale) + 1);
      for (int i = 0; i < output; i++) {
        double from = i * scale;
        double to = Math.min(input, (i + 1) * scale);
        int first = (int) Math.floor(from);
        int last = Math.min(input - 1, (int) Math.ceil(to) - 1);
        axis.first[i] = first;
        axis.count[i] = last - first + 1;
        for (int j = first; j <= last; j++) {
          double overlap = Math.min(to, j + 1) - Math.max(from, j);
          axis.weights[i * axis.taps + j - first] = (float) (overlap / (to - from));
        }
      }
      return axis;
    }

    /** Enlarging (or same size): linear interpolation between the two nearest pixel centres. */
    private static Axis bilinear(int input, int output, double scale) {
      Axis axis = new Axis(output, 2);
      for (int i = 0; i < output; i++) {
        double centre = Math.max(0, Math.min(input - 1, (i + 0.5) * scale - 0.5));
        int first = Math.min((int) Math.floor(centre), Math.max(0, input - 2));
        double fraction = centre - first;
        axis.first[i] = first;
        axis.count[i] = input == 1 ? 1 : 2;
        axis.weights[2 * i] = (float) (1 - fraction);
        axis.weights[2 * i + 1] = (float) fraction;
      }
      return axis;
    }
  }
}
