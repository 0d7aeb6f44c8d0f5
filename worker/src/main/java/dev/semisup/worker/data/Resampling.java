package dev.semisup.worker.data;

/**
 * Separable resampling of 8-bit channel-major images. Each output row/column is a weighted sum of
 * input pixels; the weights of one axis are computed once per image, not per pixel.
 */
final class Resampling {

  private Resampling() {
  }

  /** Resamples the centred square of a height x width image to size x size. */
  static byte[] centreSquare(byte[] pixels, int channels, int height, int width, int size) {
    int side = Math.min(height, width);
    int top = (height - side) / 2;
    int left = (width - side) / 2;
    Axis axis = Axis.of(side, size);
    float[] rows = new float[side * size];
    byte[] out = new byte[channels * size * size];
    for (int c = 0; c < channels; c++) {
      int plane = c * height * width;
      // Horizontal pass: every row of the square to `size` columns.
      for (int y = 0; y < side; y++) {
        int rowStart = plane + (top + y) * width + left;
        for (int x = 0; x < size; x++) {
          float sum = 0;
          int first = axis.first[x];
          int base = x * axis.taps;
          for (int k = 0; k < axis.count[x]; k++) {
            sum += axis.weights[base + k] * (pixels[rowStart + first + k] & 0xff);
          }
          rows[y * size + x] = sum;
        }
      }
      // Vertical pass: `side` rows to `size` rows.
      int outPlane = c * size * size;
      for (int y = 0; y < size; y++) {
        int first = axis.first[y];
        int base = y * axis.taps;
        for (int x = 0; x < size; x++) {
          float sum = 0;
          for (int k = 0; k < axis.count[y]; k++) {
            sum += axis.weights[base + k] * rows[(first + k) * size + x];
          }
          int value = Math.round(sum);
          out[outPlane + y * size + x] = (byte) Math.max(0, Math.min(255, value));
        }
      }
    }
    return out;
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
