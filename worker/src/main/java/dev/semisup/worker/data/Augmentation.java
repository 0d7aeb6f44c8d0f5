package dev.semisup.worker.data;

import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.worker.data.decode.ImageGeometry;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Turns an image's bytes into the floats a model sees, {@code (x/255 - mean[c]) / std[c]},
 * channel-major like the pixels, with one of three strengths:
 * <ul>
 *   <li>{@link Strength#NONE}: normalization only (evaluation, inference);
 *   <li>{@link Strength#STANDARD}: the usual small-image training augmentation: a random crop of the
 *       image padded with black by {@code max(1, size/8)} pixels on each side (4 at 32 px, 3 at 28,
 *       28 at 224), then a horizontal flip with p = 0.5 when flips keep the class;
 *   <li>{@link Strength#STRONG}: the noise of a Noisy Student: brightness and contrast jitter (each
 *       a factor in [0.6, 1.4], as torchvision's ColorJitter(0.4, 0.4)) before the standard crop and
 *       flip, then a random rectangle (sides in [size/8, size/2]) erased to 0 after normalization,
 *       i.e. to the mean, as in random erasing / cutout.
 * </ul>
 * All randomness comes from the generator passed in, drawn in a fixed order, so the same seed gives
 * the same floats. Pure and thread-safe; per image it allocates at most one small table, never per
 * pixel.
 */
public final class Augmentation {

  public enum Strength { NONE, STANDARD, STRONG }

  private static final double JITTER = 0.4;

  private final Strength strength;
  private final int channels;
  private final int size;
  private final int padding;
  private final boolean flips;
  private final double[] mean;
  private final double[] std;
  /** normalized[c * 256 + v]: the float for byte value v of channel c. */
  private final float[] normalized;

  public Augmentation(Strength strength, ImageGeometry geometry, double[] mean, double[] std, boolean flipsKeepClass) {
    if (mean.length != geometry.channels() || std.length != geometry.channels()) {
      throw new IllegalArgumentException("data.mean/data.std: need " + geometry.channels() + " values, have "
          + mean.length + " and " + std.length);
    }
    for (int c = 0; c < std.length; c++) {
      if (!(std[c] > 0)) {
        throw new IllegalArgumentException("data.std: must be positive, was " + std[c] + " for channel " + c);
      }
    }
    this.strength = strength;
    this.channels = geometry.channels();
    this.size = geometry.size();
    this.padding = Math.max(1, size / 8);
    this.flips = flipsKeepClass;
    this.mean = mean.clone();
    this.std = std.clone();
    this.normalized = new float[channels * 256];
    for (int c = 0; c < channels; c++) {
      for (int v = 0; v < 256; v++) {
        normalized[c * 256 + v] = normalize(v, c);
      }
    }
  }

  /** The run's augmentation of this strength: geometry, mean, std and flips from the data spec. */
  public static Augmentation of(Strength strength, DataSpec data) {
    return new Augmentation(strength, ImageGeometry.of(data), data.resolvedMean(), data.resolvedStd(),
        data.flipsKeepClass());
  }

  public Strength strength() {
    return strength;
  }

  /** The per-channel mean subtracted after scaling to [0, 1]. */
  public double[] mean() {
    return mean.clone();
  }

  /** The per-channel deviation divided by after the mean is subtracted. */
  public double[] std() {
    return std.clone();
  }

  /** Pixels of padding on each side before the random crop. */
  public int padding() {
    return padding;
  }

  /** Floats per image: channels x size x size. */
  public int floatsPerImage() {
    return channels * size * size;
  }

  /**
   * Writes the image's floats into {@code out[offset .. offset + floatsPerImage())}. The image must
   * already be at the run's geometry (the readers deliver it so).
   */
  public void apply(ImageRecord image, RandomGenerator random, float[] out, int offset) {
    if (image.channels() != channels || image.height() != size || image.width() != size) {
      throw new IllegalArgumentException("image " + image.key() + " is " + image.channels() + "x" + image.height()
          + "x" + image.width() + ", augmentation expects " + channels + "x" + size + "x" + size);
    }
    byte[] pixels = image.pixels();
    if (strength == Strength.NONE) {
      normalizeOnly(pixels, out, offset);
      return;
    }
    float[] table = strength == Strength.STRONG ? jittered(pixels, random) : normalized;
    int dy = random.nextInt(-padding, padding + 1);
    int dx = random.nextInt(-padding, padding + 1);
    boolean flip = flips && random.nextBoolean();
    cropAndFlip(pixels, table, dy, dx, flip, out, offset);
    if (strength == Strength.STRONG) {
      erase(random, out, offset);
    }
  }

  private void normalizeOnly(byte[] pixels, float[] out, int offset) {
    int plane = size * size;
    for (int c = 0; c < channels; c++) {
      int base = c * plane;
      int lut = c * 256;
      for (int i = 0; i < plane; i++) {
        out[offset + base + i] = normalized[lut + (pixels[base + i] & 0xff)];
      }
    }
  }

  /**
   * cropped(y, x) = image(y + dy, x + dx) of the image padded with black, then mirrored when flip.
   * Padding stays black whatever the jitter, as when torchvision pads after ColorJitter.
   */
  private void cropAndFlip(byte[] pixels, float[] table, int dy, int dx, boolean flip, float[] out, int offset) {
    int plane = size * size;
    for (int c = 0; c < channels; c++) {
      int lut = c * 256;
      float black = normalized[lut];
      int source = c * plane;
      int target = offset + c * plane;
      for (int y = 0; y < size; y++) {
        int sy = y + dy;
        int row = target + y * size;
        if (sy < 0 || sy >= size) {
          Arrays.fill(out, row, row + size, black);
          continue;
        }
        int sourceRow = source + sy * size;
        for (int x = 0; x < size; x++) {
          int sx = (flip ? size - 1 - x : x) + dx;
          out[row + x] = sx < 0 || sx >= size ? black : table[lut + (pixels[sourceRow + sx] & 0xff)];
        }
      }
    }
  }

  /**
   * A per-image table with brightness then contrast applied in pixel space (clamped to 0..255 like
   * image libraries do); contrast blends with the image's mean grey level.
   */
  private float[] jittered(byte[] pixels, RandomGenerator random) {
    double brightness = random.nextDouble(1 - JITTER, 1 + JITTER);
    double contrast = random.nextDouble(1 - JITTER, 1 + JITTER);
    double grey = Math.min(255, meanGrey(pixels) * brightness);
    float[] table = new float[channels * 256];
    for (int c = 0; c < channels; c++) {
      for (int v = 0; v < 256; v++) {
        double bright = Math.min(255, v * brightness);
        double value = Math.max(0, Math.min(255, (bright - grey) * contrast + grey));
        table[c * 256 + v] = normalize(value, c);
      }
    }
    return table;
  }

  private double meanGrey(byte[] pixels) {
    int plane = size * size;
    long sum = 0;
    if (channels == 1) {
      for (int i = 0; i < plane; i++) {
        sum += pixels[i] & 0xff;
      }
      return (double) sum / plane;
    }
    for (int i = 0; i < plane; i++) {
      sum += 299L * (pixels[i] & 0xff) + 587L * (pixels[plane + i] & 0xff) + 114L * (pixels[2 * plane + i] & 0xff);
    }
    return sum / 1000.0 / plane;
  }

  /** Random erasing: one rectangle set to 0 after normalization (the mean colour). */
  private void erase(RandomGenerator random, float[] out, int offset) {
    int smallest = Math.max(1, size / 8);
    int largest = Math.max(smallest, size / 2);
    int height = random.nextInt(smallest, largest + 1);
    int width = random.nextInt(smallest, largest + 1);
    int top = random.nextInt(0, size - height + 1);
    int left = random.nextInt(0, size - width + 1);
    int plane = size * size;
    for (int c = 0; c < channels; c++) {
      for (int y = top; y < top + height; y++) {
        int row = offset + c * plane + y * size;
        Arrays.fill(out, row + left, row + left + width, 0f);
      }
    }
  }

  private float normalize(double value, int channel) {
    return (float) ((value / 255.0 - mean[channel]) / std[channel]);
  }
}
