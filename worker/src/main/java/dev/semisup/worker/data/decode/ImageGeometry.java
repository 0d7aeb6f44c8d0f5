package dev.semisup.worker.data.decode;

import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.worker.data.ImageRecord;

/**
 * The shape every model of a run sees: {@code channels x size x size}. Images of another shape are
 * converted (grey to RGB by copying the grey value, RGB to grey by ITU-R 601 luma) and resized: the
 * centred square of the image is resampled to size x size (area average when shrinking, bilinear
 * when enlarging), which keeps the aspect ratio like the usual resize-then-centre-crop of ImageNet
 * evaluation.
 */
public record ImageGeometry(int channels, int size) {

  public ImageGeometry {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("data.channels: must be 1 or 3, was " + channels);
    }
    if (size < 1) {
      throw new IllegalArgumentException("data.imageSize: must be positive, was " + size);
    }
  }

  public static ImageGeometry of(DataSpec data) {
    return new ImageGeometry(data.resolvedChannels(), data.resolvedImageSize());
  }

  public boolean matches(ImageRecord image) {
    return image.channels() == channels && image.height() == size && image.width() == size;
  }

  /** The image at this geometry; an image already at it is returned as is (IDX and CIFAR usually are). */
  public ImageRecord fit(ImageRecord image) {
    if (matches(image)) {
      return image;
    }
    byte[] pixels = image.pixels();
    int from = image.channels();
    if (from != 1 && from != 3) {
      throw new IllegalArgumentException("image " + image.key() + ": " + from + " channels, expected 1 or 3");
    }
    int height = image.height();
    int width = image.width();
    // Fewer channels first when dropping colour, so the resize has less to do.
    if (channels < from) {
      pixels = toGrey(pixels, height * width);
      from = 1;
    }
    if (height != size || width != size) {
      pixels = Resampling.centreSquare(pixels, from, height, width, size);
    }
    if (channels > from) {
      pixels = toRgb(pixels, size * size);
    }
    return new ImageRecord(image.ordinal(), image.key(), image.label(), channels, size, size, pixels);
  }

  /**
   * A decoded, interleaved image at this geometry, with the record's ordinal, key and label: the
   * same pixels as {@link #fit} of its channel-major copy, resampled straight from the interleaved
   * samples (the decoder's reused buffer) without that copy.
   */
  ImageRecord fit(InterleavedPixels image, long ordinal, String key, int label) {
    int from = image.channels();
    int height = image.height();
    int width = image.width();
    if (channels < from) {
      // Colour dropped: luma first, on the channel-major copy, as fit does (a grey model's rare case).
      DecodedPixels copy = image.toChannelMajor();
      return fit(new ImageRecord(ordinal, key, label, from, height, width, copy.pixels()));
    }
    byte[] pixels = height == size && width == size
        ? image.toChannelMajor().pixels()
        : Resampling.centreSquareInterleaved(image.samples(), from, height, width, size);
    if (channels > from) {
      pixels = toRgb(pixels, size * size);
    }
    return new ImageRecord(ordinal, key, label, channels, size, size, pixels);
  }

  private static byte[] toGrey(byte[] rgb, int plane) {
    byte[] grey = new byte[plane];
    for (int i = 0; i < plane; i++) {
      int r = rgb[i] & 0xff;
      int g = rgb[plane + i] & 0xff;
      int b = rgb[2 * plane + i] & 0xff;
      grey[i] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
    }
    return grey;
  }

  private static byte[] toRgb(byte[] grey, int plane) {
    byte[] rgb = new byte[3 * plane];
    for (int c = 0; c < 3; c++) {
      System.arraycopy(grey, 0, rgb, c * plane, plane);
    }
    return rgb;
  }
}
