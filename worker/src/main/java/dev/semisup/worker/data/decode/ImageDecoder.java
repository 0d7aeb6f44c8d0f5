package dev.semisup.worker.data.decode;

import dev.semisup.worker.data.ImageRecord;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes JPEG/PNG bytes into 8-bit channel-major pixels: one channel for grey images, three (RGB)
 * for everything else; alpha is dropped. Thread-safe: any number of threads may decode at once.
 *
 * <p>The decoder was chosen by measurement (bench/README.md, "Decoding one image"): JPEG goes to
 * libjpeg-turbo ({@link TurboJpeg}, the system's libturbojpeg through JNA) when it loads: it decodes
 * faster per core than ImageIO, and decodes at 1/2, 1/4 or 1/8 size where the target
 * allows; PNG, and JPEG where libturbojpeg is missing, go to ImageIO. The choice is
 * made once per process and logged once; {@code -Dsemisup.jpegDecoder=imageio} forces ImageIO.
 *
 * <p>The size the image's header declares is checked against {@link #MAX_PIXELS} before a single
 * pixel is decoded: a PNG of a few hundred bytes may declare 30000 x 30000 pixels, and decoding it
 * would need gigabytes and end the whole run with an OutOfMemoryError.
 */
public final class ImageDecoder {

  /**
   * The pixel budget of one image: 64 megapixels (8192 x 8192), far above any photo a data set
   * of this kind holds, and small enough that a 3 GB worker heap decodes it (about 200 MB as RGB).
   */
  public static final long MAX_PIXELS = 8192L * 8192L;

  /** Set to {@code imageio} to decode JPEG with ImageIO even where libturbojpeg loads. */
  static final String DECODER_PROPERTY = "semisup.jpegDecoder";

  private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);

  /** Which library decodes JPEG in this process. */
  public enum JpegDecoder { LIBJPEG_TURBO, IMAGEIO }

  private static final TurboJpeg TURBO = chooseTurboJpeg(System.getProperty(DECODER_PROPERTY, ""), TurboJpeg::load);

  private ImageDecoder() {
  }

  /** Thrown for bytes that are not a whole, decodable image; the message says why. */
  public static class CorruptImageException extends IOException {
    CorruptImageException(String message, Throwable cause) {
      super(message, cause);
    }

    /** What is wrong with the image, for messages that name it: "corrupt image: ...". */
    public String describe() {
      return "corrupt image: " + getMessage();
    }
  }

  /** Thrown, before decoding, for an image whose header declares more than the pixel budget. */
  static final class OversizedImageException extends CorruptImageException {
    OversizedImageException(int width, int height, long budget) {
      super("declares " + width + " x " + height + " pixels, beyond the budget of " + budget + " pixels per image", null);
    }

    @Override
    public String describe() {
      return "oversized image: " + getMessage();
    }
  }

  /** The JPEG decoder this process uses: libjpeg-turbo when libturbojpeg loaded, else ImageIO. */
  public static JpegDecoder jpegDecoder() {
    return TURBO != null ? JpegDecoder.LIBJPEG_TURBO : JpegDecoder.IMAGEIO;
  }

  /** The image at its full size. */
  public static ImageRecord decode(byte[] bytes, long ordinal, String key, int label) throws CorruptImageException {
    return decode(bytes, ordinal, key, label, MAX_PIXELS);
  }

  /** As {@link #decode(byte[], long, String, int)}, with another pixel budget (tests). */
  static ImageRecord decode(byte[] bytes, long ordinal, String key, int label, long maxPixels) throws CorruptImageException {
    return decodeWith(jpegDecoder(), bytes, ordinal, key, label, 0, maxPixels);
  }

  /**
   * The image, possibly decoded at a reduced size whose short side is still at least
   * {@code shortSide}: a JPEG well above the size the model needs is decoded at 1/2, 1/4 or 1/8 of
   * each side by libjpeg-turbo, far faster than decoding it whole and resizing. Callers that resize
   * to a square of side S afterwards ({@link ImageGeometry#fit}) pass S. PNG, and JPEG decoded by
   * ImageIO, come at full size.
   */
  public static ImageRecord decodeAtLeast(byte[] bytes, long ordinal, String key, int label, int shortSide)
      throws CorruptImageException {
    return decodeWith(jpegDecoder(), bytes, ordinal, key, label, shortSide, MAX_PIXELS);
  }

  /**
   * As {@link #decodeAtLeast}, with the JPEG decoder named (the benchmark and the tests compare the
   * two) and a pixel budget; {@code shortSide} 0 decodes at full size.
   */
  public static ImageRecord decodeWith(JpegDecoder decoder, byte[] bytes, long ordinal, String key, int label,
      int shortSide, long maxPixels) throws CorruptImageException {
    TurboJpeg turbo = decoder == JpegDecoder.LIBJPEG_TURBO ? turbo() : null;
    DecodedPixels image = turbo != null && isJpeg(bytes)
        ? viaTurbo(turbo, bytes, shortSide, maxPixels)
        : ImageIoDecoding.decode(bytes, maxPixels);
    return new ImageRecord(ordinal, key, label, image.channels(), image.height(), image.width(), image.pixels());
  }

  /**
   * The image at {@code geometry}: the same pixels as {@code geometry.fit(decodeAtLeast(bytes, ...,
   * geometry.size()))}, faster. A JPEG decoded by libjpeg-turbo is resampled straight from the
   * interleaved samples the library writes, in a buffer the decoding thread reuses, so no full-size
   * image is allocated or copied (bench/README.md, "Decoding one image"); PNG, and JPEG decoded by
   * ImageIO, are decoded and fitted as before.
   */
  public static ImageRecord decodeFitted(byte[] bytes, long ordinal, String key, int label, ImageGeometry geometry)
      throws CorruptImageException {
    return decodeFittedWith(jpegDecoder(), bytes, ordinal, key, label, geometry, MAX_PIXELS);
  }

  /** As {@link #decodeFitted}, with the JPEG decoder named (the benchmark and the tests compare them) and a pixel budget. */
  public static ImageRecord decodeFittedWith(JpegDecoder decoder, byte[] bytes, long ordinal, String key, int label,
      ImageGeometry geometry, long maxPixels) throws CorruptImageException {
    TurboJpeg turbo = decoder == JpegDecoder.LIBJPEG_TURBO ? turbo() : null;
    if (turbo != null && isJpeg(bytes)) {
      Optional<InterleavedPixels> image = turbo.decodeInterleaved(bytes, geometry.size(), maxPixels);
      if (image.isPresent()) {
        return geometry.fit(image.get(), ordinal, key, label);
      }
      // CMYK/YCCK: ImageIO decodes it, as below.
    }
    DecodedPixels image = ImageIoDecoding.decode(bytes, maxPixels);
    return geometry.fit(new ImageRecord(ordinal, key, label, image.channels(), image.height(), image.width(),
        image.pixels()));
  }

  private static TurboJpeg turbo() {
    if (TURBO == null) {
      throw new IllegalStateException("libjpeg-turbo asked for, but libturbojpeg is not loaded in this process");
    }
    return TURBO;
  }

  /** Refuses a declared size of no pixels or beyond the budget; called on the header alone. */
  static void checkSize(int width, int height, long maxPixels) throws CorruptImageException {
    if (width <= 0 || height <= 0) {
      throw new CorruptImageException("declares " + width + " x " + height + " pixels", null);
    }
    if ((long) width * height > maxPixels) {
      throw new OversizedImageException(width, height, maxPixels);
    }
  }

  private static DecodedPixels viaTurbo(TurboJpeg turbo, byte[] jpeg, int shortSide, long maxPixels)
      throws CorruptImageException {
    // CMYK/YCCK JPEG: TurboJPEG 2 cannot convert it to RGB; ImageIO decides, as it always did.
    Optional<DecodedPixels> image = turbo.decode(jpeg, shortSide, maxPixels);
    return image.isPresent() ? image.get() : ImageIoDecoding.decode(jpeg, maxPixels);
  }

  /** The JPEG start-of-image marker and the first byte of the next marker. */
  private static boolean isJpeg(byte[] bytes) {
    return bytes.length >= 3 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8 && (bytes[2] & 0xff) == 0xff;
  }

  /**
   * libturbojpeg, bound by {@code load}, or null for ImageIO: when {@code forced} is "imageio" or the
   * library cannot be bound. Called once per process, so the choice is logged once.
   */
  static TurboJpeg chooseTurboJpeg(String forced, Supplier<TurboJpeg> load) {
    if ("imageio".equalsIgnoreCase(forced)) {
      LOG.info("JPEG decoder: ImageIO ({}=imageio)", DECODER_PROPERTY);
      return null;
    }
    try {
      TurboJpeg turbo = load.get();
      LOG.debug("JPEG decoder: libjpeg-turbo (libturbojpeg)");
      return turbo;
    } catch (LinkageError e) {
      LOG.warn("JPEG decoder: ImageIO, about 2.5x slower per core than libjpeg-turbo, because libturbojpeg could not be"
          + " loaded ({}); install the package libturbojpeg0 (Debian) or libturbojpeg (Ubuntu)", oneLine(e.getMessage()));
      return null;
    }
  }

  /** Longest cause shown in the fallback warning. */
  private static final int CAUSE_CHARS = 200;

  /**
   * JNA's load failure in one line: its lines joined, without the one that lists every entry of
   * the class path it searched (thousands of characters in a packaged worker).
   */
  static String oneLine(String message) {
    if (message == null) {
      return "no reason given";
    }
    StringBuilder line = new StringBuilder();
    for (String part : message.split("\\R")) {
      String trimmed = part.strip();
      if (trimmed.isEmpty() || trimmed.contains("resource path")) {
        continue;
      }
      line.append(line.length() == 0 ? "" : " ").append(trimmed);
    }
    return line.length() <= CAUSE_CHARS ? line.toString() : line.substring(0, CAUSE_CHARS) + "...";
  }
}
