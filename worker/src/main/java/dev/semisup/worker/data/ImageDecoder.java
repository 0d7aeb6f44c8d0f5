package dev.semisup.worker.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG/PNG bytes with ImageIO into 8-bit channel-major pixels: one channel for grey images,
 * three (RGB) for everything else; alpha is dropped.
 *
 * <p>The size the image's header declares is checked against {@link #MAX_PIXELS} before a single
 * pixel is decoded: a PNG of a few hundred bytes may declare 30000 x 30000 pixels, and decoding it
 * would need gigabytes and end the whole run with an OutOfMemoryError.
 */
final class ImageDecoder {

  /**
   * The pixel budget of one image: 64 megapixels (8192 x 8192), far above any photo a data set
   * of this kind holds, and small enough that a 3 GB worker heap decodes it (about 200 MB as RGB).
   */
  static final long MAX_PIXELS = 8192L * 8192L;

  private ImageDecoder() {
  }

  /** Thrown for bytes that are not a whole, decodable image; the message says why. */
  static class CorruptImageException extends IOException {
    CorruptImageException(String message, Throwable cause) {
      super(message, cause);
    }

    /** What is wrong with the image, for messages that name it: "corrupt image: ...". */
    String describe() {
      return "corrupt image: " + getMessage();
    }
  }

  /** Thrown, before decoding, for an image whose header declares more than the pixel budget. */
  static final class OversizedImageException extends CorruptImageException {
    OversizedImageException(int width, int height, long budget) {
      super("declares " + width + " x " + height + " pixels, beyond the budget of " + budget + " pixels per image", null);
    }

    @Override
    String describe() {
      return "oversized image: " + getMessage();
    }
  }

  static ImageRecord decode(byte[] bytes, long ordinal, String key, int label) throws CorruptImageException {
    return decode(bytes, ordinal, key, label, MAX_PIXELS);
  }

  /** As {@link #decode(byte[], long, String, int)}, with another pixel budget (tests). */
  static ImageRecord decode(byte[] bytes, long ordinal, String key, int label, long maxPixels) throws CorruptImageException {
    BufferedImage image = read(bytes, maxPixels);
    int height = image.getHeight();
    int width = image.getWidth();
    if (isGrey(image)) {
      return new ImageRecord(ordinal, key, label, 1, height, width, greyPixels(image.getRaster(), height, width));
    }
    int plane = height * width;
    byte[] pixels = new byte[3 * plane];
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      image.getRGB(0, y, width, 1, row, 0, width);
      for (int x = 0; x < width; x++) {
        int argb = row[x];
        int i = y * width + x;
        pixels[i] = (byte) (argb >> 16);
        pixels[plane + i] = (byte) (argb >> 8);
        pixels[2 * plane + i] = (byte) argb;
      }
    }
    return new ImageRecord(ordinal, key, label, 3, height, width, pixels);
  }

  private static BufferedImage read(byte[] bytes, long maxPixels) throws CorruptImageException {
    // Memory-cached input: ImageIO's default file cache would need a writable temp directory.
    try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
      if (!readers.hasNext()) {
        throw new CorruptImageException("not a JPEG or PNG image (" + bytes.length + " bytes)", null);
      }
      ImageReader reader = readers.next();
      List<String> warnings = new ArrayList<>();
      try {
        reader.setInput(input, true, true);
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        // getWidth/getHeight read the header only (PNG IHDR, JPEG SOFn), no pixel data.
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
          throw new CorruptImageException("declares " + width + " x " + height + " pixels", null);
        }
        if ((long) width * height > maxPixels) {
          throw new OversizedImageException(width, height, maxPixels);
        }
        BufferedImage image = reader.read(0);
        // A truncated JPEG decodes with a warning and a grey bottom; like PIL, count it as corrupt.
        if (!warnings.isEmpty()) {
          throw new CorruptImageException(String.join("; ", warnings), null);
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (CorruptImageException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // ImageIO's decoders throw runtime exceptions (index out of bounds, ...) on some bad bytes.
      throw new CorruptImageException(String.valueOf(e.getMessage()), e);
    }
  }

  private static boolean isGrey(BufferedImage image) {
    return !(image.getColorModel() instanceof IndexColorModel) && image.getColorModel().getNumColorComponents() == 1;
  }

  /** Grey samples from the raster: getRGB would push them through a colour space and change them. */
  private static byte[] greyPixels(Raster raster, int height, int width) {
    int bits = raster.getSampleModel().getSampleSize(0);
    int max = (1 << bits) - 1;
    int[] samples = raster.getSamples(0, 0, width, height, 0, (int[]) null);
    byte[] pixels = new byte[height * width];
    for (int i = 0; i < samples.length; i++) {
      pixels[i] = (byte) (bits == 8 ? samples[i] : (samples[i] * 255 + max / 2) / max);
    }
    return pixels;
  }
}
