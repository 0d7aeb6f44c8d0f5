package dev.semisup.worker.data.decode;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
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
 * Decodes JPEG/PNG with ImageIO: every PNG, and JPEG where libturbojpeg is not loaded. Thread-safe:
 * each call has its own reader.
 */
final class ImageIoDecoding {

  private ImageIoDecoding() {
  }

  static DecodedPixels decode(byte[] bytes, long maxPixels) throws ImageDecoder.CorruptImageException {
    BufferedImage image = read(bytes, maxPixels);
    int height = image.getHeight();
    int width = image.getWidth();
    if (isGrey(image)) {
      return new DecodedPixels(1, height, width, greyPixels(image.getRaster(), height, width));
    }
    int plane = height * width;
    byte[] pixels = new byte[3 * plane];
    if (copyBgrSamples(image, pixels, plane)) {
      return new DecodedPixels(3, height, width, pixels);
    }
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
    return new DecodedPixels(3, height, width, pixels);
  }

  private static BufferedImage read(byte[] bytes, long maxPixels) throws ImageDecoder.CorruptImageException {
    // Memory-cached input: ImageIO's default file cache would need a writable temp directory.
    try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
      if (!readers.hasNext()) {
        throw new ImageDecoder.CorruptImageException("not a JPEG or PNG image (" + bytes.length + " bytes)", null);
      }
      ImageReader reader = readers.next();
      List<String> warnings = new ArrayList<>();
      try {
        reader.setInput(input, true, true);
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        // getWidth/getHeight read the header only (PNG IHDR, JPEG SOFn), no pixel data.
        ImageDecoder.checkSize(reader.getWidth(0), reader.getHeight(0), maxPixels);
        BufferedImage image = reader.read(0);
        // A truncated JPEG decodes with a warning and a grey bottom; like PIL, count it as corrupt.
        if (!warnings.isEmpty()) {
          throw new ImageDecoder.CorruptImageException(String.join("; ", warnings), null);
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (ImageDecoder.CorruptImageException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // ImageIO's decoders throw runtime exceptions (index out of bounds, ...) on some bad bytes.
      throw new ImageDecoder.CorruptImageException(String.valueOf(e.getMessage()), e);
    }
  }

  /**
   * The samples of an sRGB image stored as interleaved bytes (B, G, R or A, B, G, R per pixel: what
   * ImageIO gives for most JPEG and PNG), copied straight into channel-major RGB: the same bytes
   * getRGB returns, without its per-pixel colour-model calls, which cost more than the decoding.
   * False for any other layout or colour space, which go through getRGB.
   */
  private static boolean copyBgrSamples(BufferedImage image, byte[] pixels, int plane) {
    int type = image.getType();
    if ((type != BufferedImage.TYPE_3BYTE_BGR && type != BufferedImage.TYPE_4BYTE_ABGR)
        || !image.getColorModel().getColorSpace().isCS_sRGB()
        || !(image.getRaster().getDataBuffer() instanceof DataBufferByte buffer)
        || buffer.getNumBanks() != 1
        || !(image.getRaster().getSampleModel() instanceof PixelInterleavedSampleModel layout)
        || image.getRaster().getParent() != null) {
      return false;
    }
    int stride = layout.getPixelStride();
    int[] offsets = layout.getBandOffsets();
    int scanline = layout.getScanlineStride();
    int width = image.getWidth();
    byte[] samples = buffer.getData();
    for (int y = 0, i = 0; y < image.getHeight(); y++) {
      int at = buffer.getOffset() + y * scanline;
      for (int x = 0; x < width; x++, i++, at += stride) {
        pixels[i] = samples[at + offsets[0]];
        pixels[plane + i] = samples[at + offsets[1]];
        pixels[2 * plane + i] = samples[at + offsets[2]];
      }
    }
    return true;
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
