package dev.semisup.worker.data.decode;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.util.Optional;

/**
 * Decodes JPEG with libjpeg-turbo's TurboJPEG library (the system's {@code libturbojpeg}: Debian's
 * package {@code libturbojpeg0}, Ubuntu's {@code libturbojpeg}) called through JNA: its SIMD Huffman,
 * IDCT and colour code are faster per core than ImageIO's (bench/README.md, "Decoding one image").
 * Only JPEG comes here; {@link ImageDecoder} sends everything else to ImageIO.
 *
 * <p>Reduced-size decoding: asked for a short side well below the image's, libjpeg scales in the
 * IDCT (1/2, 1/4 or 1/8 of each side), which both skips most of the work and averages the pixels it
 * drops, as an area resize would.
 *
 * <p>The pixels come back interleaved, as the library writes them ({@link InterleavedPixels}), for
 * the resize to read directly: turning them channel-major first cost as much again as the decoding.
 * Each decoding thread keeps its buffers (the JPEG and the pixels in native memory, the pixels again
 * on the heap) for its next image: handing JNA Java arrays made it allocate, copy in and copy back
 * the whole pixel array on every call. Images beyond {@link #RETAINED_BYTES} get buffers of their own.
 *
 * <p>Thread-safe: each call opens its own TurboJPEG handle (microseconds) and closes it; buffers are
 * per thread.
 */
final class TurboJpeg {

  /** The reductions libjpeg-turbo decodes with its SIMD IDCT: 1/8, 1/4, 1/2 of each side. */
  private static final int[] REDUCTIONS = {8, 4, 2};

  /**
   * The largest buffer a decoding thread keeps between images: 12 MiB, a 2048 x 2048 RGB image. A
   * photo decoded for a 224 px model is far below (libjpeg's reduced decode), and a rare huge image
   * should not pin its size on every decode thread for the rest of the pass.
   */
  static final int RETAINED_BYTES = 12 << 20;

  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  /** One thread's buffers, grown on demand up to RETAINED_BYTES. */
  private static final class Buffers {
    Memory jpeg;
    Memory pixels;
    byte[] samples;

    Memory jpeg(int bytes) {
      if (bytes > RETAINED_BYTES) {
        return new Memory(bytes);
      }
      if (jpeg == null || jpeg.size() < bytes) {
        jpeg = new Memory(Math.max(bytes, 64 << 10));
      }
      return jpeg;
    }

    Memory pixels(int bytes) {
      if (bytes > RETAINED_BYTES) {
        return new Memory(bytes);
      }
      if (pixels == null || pixels.size() < bytes) {
        pixels = new Memory(bytes);
      }
      return pixels;
    }

    byte[] samples(int bytes) {
      if (bytes > RETAINED_BYTES) {
        return new byte[bytes];
      }
      if (samples == null || samples.length < bytes) {
        samples = new byte[bytes];
      }
      return samples;
    }
  }

  private TurboJpeg() {
  }

  /** Binds libturbojpeg; a LinkageError says why it cannot (no such library, no JNA native here). */
  static TurboJpeg load() {
    TurboJpegLibrary.bind();
    return new TurboJpeg();
  }

  /** As {@link #decodeInterleaved}, the pixels copied into the worker's channel-major layout. */
  Optional<DecodedPixels> decode(byte[] jpeg, int shortSide, long maxPixels) throws ImageDecoder.CorruptImageException {
    return decodeInterleaved(jpeg, shortSide, maxPixels).map(InterleavedPixels::toChannelMajor);
  }

  /**
   * Decodes a JPEG into the calling thread's reused buffer (valid until its next decode), or returns
   * empty for a CMYK/YCCK (Adobe) JPEG, which TurboJPEG 2 cannot turn into RGB. The size in the
   * header is checked against {@code maxPixels} before any pixel is decoded. {@code shortSide} > 0
   * allows a reduced decode whose short side is still at least {@code shortSide}; 0 decodes at full
   * size.
   */
  Optional<InterleavedPixels> decodeInterleaved(byte[] jpeg, int shortSide, long maxPixels)
      throws ImageDecoder.CorruptImageException {
    Buffers buffers = BUFFERS.get();
    Memory source = buffers.jpeg(jpeg.length);
    source.write(0, jpeg, 0, jpeg.length);
    NativeLong length = new NativeLong(jpeg.length);
    Pointer handle = TurboJpegLibrary.tjInitDecompress();
    if (handle == null) {
      // Only a failed allocation of a few kilobytes gets here.
      throw new IllegalStateException("libturbojpeg: tjInitDecompress failed");
    }
    try {
      int[] fullWidth = new int[1];
      int[] fullHeight = new int[1];
      int[] subsampling = new int[1];
      int[] colourspace = new int[1];
      // The header alone (SOFn): nothing is decoded before the size is checked.
      if (TurboJpegLibrary.tjDecompressHeader3(handle, source, length, fullWidth, fullHeight, subsampling, colourspace) != 0) {
        throw new ImageDecoder.CorruptImageException(TurboJpegLibrary.tjGetErrorStr2(handle), null);
      }
      ImageDecoder.checkSize(fullWidth[0], fullHeight[0], maxPixels);
      if (colourspace[0] == TurboJpegLibrary.COLOURSPACE_CMYK || colourspace[0] == TurboJpegLibrary.COLOURSPACE_YCCK) {
        return Optional.empty();
      }
      boolean grey = colourspace[0] == TurboJpegLibrary.COLOURSPACE_GREY;
      int reduction = reduction(fullWidth[0], fullHeight[0], shortSide);
      int width = scaled(fullWidth[0], reduction);
      int height = scaled(fullHeight[0], reduction);
      int channels = grey ? 1 : 3;
      // At most 3 x 64 megapixels (the budget checked above): an int.
      int bytes = channels * width * height;
      Memory pixels = buffers.pixels(bytes);
      // Asked for width x height, TurboJPEG picks the IDCT scaling that gives exactly that size.
      if (TurboJpegLibrary.tjDecompress2(handle, source, length, pixels, width, 0, height, grey ? TurboJpegLibrary.PIXEL_GREY : TurboJpegLibrary.PIXEL_RGB,
          TurboJpegLibrary.FLAG_ACCURATE_DCT | TurboJpegLibrary.FLAG_STOP_ON_WARNING) != 0) {
        throw new ImageDecoder.CorruptImageException(TurboJpegLibrary.tjGetErrorStr2(handle), null);
      }
      byte[] samples = buffers.samples(bytes);
      pixels.read(0, samples, 0, bytes);
      return Optional.of(new InterleavedPixels(channels, height, width, samples));
    } finally {
      TurboJpegLibrary.tjDestroy(handle);
    }
  }

  /** The largest reduction (8, 4, 2, else 1) whose image still has a short side of at least shortSide. */
  static int reduction(int width, int height, int shortSide) {
    if (shortSide > 0) {
      for (int reduction : REDUCTIONS) {
        if (Math.min(scaled(width, reduction), scaled(height, reduction)) >= shortSide) {
          return reduction;
        }
      }
    }
    return 1;
  }

  /** libjpeg's size of a side reduced 1/reduction: rounded up (TJSCALED in turbojpeg.h). */
  static int scaled(int side, int reduction) {
    return (side + reduction - 1) / reduction;
  }
}
