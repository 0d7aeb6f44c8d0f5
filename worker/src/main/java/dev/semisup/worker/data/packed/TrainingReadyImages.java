package dev.semisup.worker.data.packed;

import dev.semisup.api.v1alpha1.SamplingSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.decode.ImageDecoder;
import dev.semisup.worker.data.decode.ImageEncoding;
import dev.semisup.worker.data.decode.Resampling;
import java.io.IOException;

/**
 * The image bytes pack writes for a sampled image: shrunk once to a short side a little above the
 * model's input ({@code spec.sampling.packShortSide}), aspect kept, and re-encoded, so each student
 * epoch reads and decodes that instead of the full-size original. The student fits it exactly as it
 * fits an original (the centred square resampled to the input size), so the geometry path is the
 * same. Images at or below the short side are packed as they are (never enlarged); short side 0
 * keeps every original.
 *
 * <p>Encoding: JPEG at {@code spec.sampling.packJpegQuality} through ImageIO (the worker's
 * libjpeg-turbo binding decodes only); a grey image is stored as lossless PNG instead where that is
 * no larger (small grey images, digits and sketches, often are). Records of idx/cifar pools have no
 * bytes of their own and are PNG at their size, as before, unless they too are above the short side.
 * Thread-safe.
 */
public final class TrainingReadyImages {

  /** Encoded image bytes and the member extension that names their format. */
  public record Packed(byte[] bytes, String extension) {
  }

  /** Every image's original bytes (short side 0). */
  public static final TrainingReadyImages ORIGINALS = new TrainingReadyImages(0, SamplingSpec.DEFAULT_PACK_JPEG_QUALITY);

  private final int shortSide;
  private final int jpegQuality;

  /** shortSide 0 keeps the originals; jpegQuality in 1..100. */
  public TrainingReadyImages(int shortSide, int jpegQuality) {
    if (shortSide < 0) {
      throw new IllegalArgumentException("spec.sampling.packShortSide: must be 0 or positive, was " + shortSide);
    }
    if (jpegQuality < 1 || jpegQuality > 100) {
      throw new IllegalArgumentException("spec.sampling.packJpegQuality: must be between 1 and 100, was " + jpegQuality);
    }
    this.shortSide = shortSide;
    this.jpegQuality = jpegQuality;
  }

  /** The run's setting: the spec's short side (default from the model's input size) and quality. */
  public static TrainingReadyImages of(SemiSupervisedRunSpec spec) {
    SamplingSpec sampling = spec.getSampling() == null ? new SamplingSpec() : spec.getSampling();
    return new TrainingReadyImages(sampling.packShortSideFor(spec.getData().resolvedImageSize()),
        sampling.packJpegQualityOrDefault());
  }

  public int shortSide() {
    return shortSide;
  }

  public boolean keepsOriginals() {
    return shortSide == 0;
  }

  /**
   * A pool image's encoded bytes made training-ready: the same bytes and extension when it is at or
   * below the short side, else shrunk and re-encoded. Decoding is the corruption check, as for an
   * original.
   */
  public Packed ofEncoded(byte[] bytes, String extension, String key) throws ImageDecoder.CorruptImageException,
      IOException {
    if (keepsOriginals()) {
      return new Packed(bytes, extension);
    }
    // One pixel above the short side: a reduced JPEG decode (1/2, 1/4, 1/8) then never lands on it
    // exactly, so an image decoded at or below it is one that was at or below it to begin with.
    ImageRecord image = ImageDecoder.decodeAtLeast(bytes, -1, key, ImageRecord.UNLABELED, shortSide + 1);
    if (Math.min(image.height(), image.width()) <= shortSide) {
      return new Packed(bytes, extension);
    }
    return encode(shrunk(image));
  }

  /** A decoded record of an idx/cifar pool: lossless PNG at its size, shrunk and re-encoded only above the short side. */
  public Packed ofRecord(ImageRecord image) throws IOException {
    if (keepsOriginals() || Math.min(image.height(), image.width()) <= shortSide) {
      return new Packed(ImageEncoding.png(image), "png");
    }
    return encode(shrunk(image));
  }

  /** The image with its short side at shortSide, the long side scaled alike (rounded). */
  ImageRecord shrunk(ImageRecord image) {
    int height = image.height();
    int width = image.width();
    int outHeight;
    int outWidth;
    if (height <= width) {
      outHeight = shortSide;
      outWidth = (int) Math.max(shortSide, Math.round((double) width * shortSide / height));
    } else {
      outWidth = shortSide;
      outHeight = (int) Math.max(shortSide, Math.round((double) height * shortSide / width));
    }
    byte[] pixels = Resampling.resize(image.pixels(), image.channels(), height, width, outHeight, outWidth);
    return new ImageRecord(image.ordinal(), image.key(), image.label(), image.channels(), outHeight, outWidth, pixels);
  }

  private Packed encode(ImageRecord image) throws IOException {
    byte[] jpeg = ImageEncoding.jpeg(image, jpegQuality);
    if (image.channels() == 1) {
      byte[] png = ImageEncoding.png(image);
      if (png.length <= jpeg.length) {
        return new Packed(png, "png");
      }
    }
    return new Packed(jpeg, "jpg");
  }
}
