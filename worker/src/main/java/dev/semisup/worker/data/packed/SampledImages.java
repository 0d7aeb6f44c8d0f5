package dev.semisup.worker.data.packed;

import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageRef;
import dev.semisup.worker.data.decode.ImageBytes;
import dev.semisup.worker.data.decode.ImageDecoder;
import dev.semisup.worker.data.formats.CorruptImages;
import dev.semisup.worker.store.Blobs;
import java.io.IOException;
import java.io.InputStream;

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
}
