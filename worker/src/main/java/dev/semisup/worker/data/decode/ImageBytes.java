package dev.semisup.worker.data.decode;

import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.NotARegularFileException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The encoded bytes of one image (an image file, a tar member), read within the per-image byte
 * budget {@link #MAX_BYTES}. One image is held in memory whole while it decodes, and the decode
 * pipeline holds a window of them, so a single file of gigabytes in a pool (a video renamed .jpg,
 * a sparse file) would end the run with an OutOfMemoryError on every retry. An image over the
 * budget, or a file that is not a regular file (a FIFO would block the reader forever), is refused
 * before anything is allocated for it; pools skip and count it as they skip a corrupt image.
 */
public final class ImageBytes {

  /**
   * The byte budget of one encoded image: 64 MiB, several times the largest photo a data set of
   * this kind holds (a JPEG of the 64-megapixel pixel budget is a few tens of MiB).
   */
  public static final int MAX_BYTES = 64 << 20;

  private ImageBytes() {
  }

  /** An image whose encoded bytes exceed the budget: never read whole, skipped and counted in a pool. */
  public static final class OversizedFileException extends ImageDecoder.CorruptImageException {
    OversizedFileException(String size, int budget) {
      super("holds " + size + ", beyond the budget of " + budget + " bytes per image", null);
    }

    @Override
    public String describe() {
      return "oversized image: " + getMessage();
    }
  }

  /** An image path that names a FIFO, a device or a socket: never opened, skipped and counted in a pool. */
  public static final class SpecialFileException extends ImageDecoder.CorruptImageException {
    SpecialFileException(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public String describe() {
      return "not an image file: " + getMessage();
    }
  }

  /** A whole image file; a missing one throws the store's FileNotFoundException. */
  public static byte[] ofFile(Blobs blobs, String uri) throws IOException {
    return ofFile(blobs, uri, MAX_BYTES);
  }

  static byte[] ofFile(Blobs blobs, String uri, int budget) throws IOException {
    try (InputStream in = blobs.open(uri)) {
      // One byte past the budget tells a file at the budget from one beyond it, without its size.
      byte[] bytes = in.readNBytes(budget + 1);
      if (bytes.length > budget) {
        throw new OversizedFileException("more than " + budget + " bytes", budget);
      }
      return bytes;
    } catch (NotARegularFileException e) {
      throw new SpecialFileException("is not a regular file (a FIFO, device or socket)", e);
    }
  }

  /** Refuses, before reading, an image whose declared length (a tar header's, a reference's) exceeds the budget. */
  public static void checkDeclared(long length) throws OversizedFileException {
    if (length > MAX_BYTES) {
      throw new OversizedFileException(length + " bytes", MAX_BYTES);
    }
  }
}
