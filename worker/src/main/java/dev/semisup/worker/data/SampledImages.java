package dev.semisup.worker.data;

import dev.semisup.worker.store.Blobs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Fetches the encoded bytes of sampled pool images by their {@link ImageRef}: a ranged read of a
 * tar member's data (only those bytes cross the network), or a whole image file. The bytes are
 * checked to decode, so an image that went bad since inference is skipped and counted here, as
 * every pool reader counts them ({@link CorruptImages}), instead of being packed. Safe to call from
 * several threads at once (pack keeps several GETs in flight).
 */
public final class SampledImages {

  private final Blobs blobs;
  private final CorruptImages corrupt = new CorruptImages(true);
  private final java.util.concurrent.atomic.AtomicLong bytesRead = new java.util.concurrent.atomic.AtomicLong();

  public SampledImages(Blobs blobs) {
    this.blobs = blobs;
  }

  /** True when the reference names bytes of their own (tar member or image file), not a record of idx/cifar data. */
  public static boolean fetchable(ImageRef ref) {
    return ref.ranged() || ref.member() == null;
  }

  /** The image's original encoded bytes, or null when they do not decode (skipped and counted). */
  public byte[] fetch(ImageRef ref) throws IOException {
    TrainingReadyImages.Packed packed = fetch(ref, ref.extension(), TrainingReadyImages.ORIGINALS);
    return packed == null ? null : packed.bytes();
  }

  /**
   * The image as pack writes it ({@link TrainingReadyImages}; the original bytes are named by
   * {@code extension}), or null when its bytes do not decode (skipped and counted).
   */
  public TrainingReadyImages.Packed fetch(ImageRef ref, String extension, TrainingReadyImages ready) throws IOException {
    if (!fetchable(ref)) {
      throw new IllegalArgumentException(ref + " names a record of a single-file format, not bytes of its own");
    }
    try {
      byte[] bytes = read(ref);
      bytesRead.addAndGet(bytes.length);
      if (!ready.keepsOriginals()) {
        // Its decode, for the resize, is the check.
        return ready.ofEncoded(bytes, extension, ref.toString());
      }
      // Only whether it decodes matters: the smallest reduced decode still reads every coded block,
      // so it finds a truncated or damaged image at a fraction of the cost.
      ImageDecoder.decodeAtLeast(bytes, -1, ref.toString(), ImageRecord.UNLABELED, 1);
      return new TrainingReadyImages.Packed(bytes, extension);
    } catch (ImageDecoder.CorruptImageException e) {
      synchronized (corrupt) {
        corrupt.onCorrupt(ref.toString(), e);
      }
      return null;
    }
  }

  private byte[] read(ImageRef ref) throws IOException {
    if (!ref.ranged()) {
      return ImageBytes.ofFile(blobs, ref.file());
    }
    ImageBytes.checkDeclared(ref.length());
    byte[] bytes;
    try (InputStream in = blobs.openRange(ref.file(), ref.offset(), ref.length())) {
      bytes = in.readAllBytes();
    }
    if (bytes.length != ref.length()) {
      throw new IOException(ref + ": read " + bytes.length + " bytes, the reference says " + ref.length()
          + " (the pool file changed since inference?)");
    }
    return bytes;
  }

  /** Images skipped because their bytes no longer decode. */
  public long skipped() {
    synchronized (corrupt) {
      return corrupt.skipped();
    }
  }

  public long bytesRead() {
    return bytesRead.get();
  }

  /** A decoded image as lossless 8-bit PNG: grey for one channel, RGB for three. */
  public static byte[] png(ImageRecord image) throws IOException {
    int h = image.height();
    int w = image.width();
    int plane = h * w;
    byte[] pixels = image.pixels();
    BufferedImage out;
    if (image.channels() == 1) {
      out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      out.getRaster().setDataElements(0, 0, w, h, pixels);
    } else if (image.channels() == 3) {
      out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int at = y * w + x;
          out.setRGB(x, y, (pixels[at] & 0xff) << 16 | (pixels[plane + at] & 0xff) << 8 | (pixels[2 * plane + at] & 0xff));
        }
      }
    } else {
      throw new IllegalArgumentException("image " + image.key() + " has " + image.channels() + " channels; PNG takes 1 or 3");
    }
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
    if (!writers.hasNext()) {
      throw new IOException("no PNG writer in this JVM");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // In memory: ImageIO.write's default cache makes a temp file per image (slow for an index of
    // millions, and a pod may have no writable temp directory).
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(stream);
      writer.write(out);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
