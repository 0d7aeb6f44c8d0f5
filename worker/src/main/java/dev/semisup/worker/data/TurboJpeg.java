package dev.semisup.worker.data;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.util.Optional;

/**
 * Decodes JPEG with libjpeg-turbo's TurboJPEG library (the system's {@code libturbojpeg}: Debian's
 * package {@code libturbojpeg0}, Ubuntu's {@code libturbojpeg}) called through JNA. Its SIMD Huffman,
 * IDCT and colour code decode a 500 x 375 photo about 2.5x faster per core than ImageIO (1.0 against
 * 2.6 ms, bench/README.md). Only JPEG comes here; {@link ImageDecoder} sends everything else to ImageIO.
 *
 * <p>Reduced-size decoding: asked for a short side well below the image's, libjpeg scales in the
 * IDCT (1/2, 1/4 or 1/8 of each side), which both skips most of the work and averages the pixels it
 * drops, as an area resize would.
 *
 * <p>Thread-safe: each call opens its own TurboJPEG handle (microseconds) and closes it.
 */
final class TurboJpeg {

  /** TurboJPEG 2.x constants (turbojpeg.h). */
  private static final int PIXEL_RGB = 0;
  private static final int PIXEL_GREY = 6;
  private static final int COLOURSPACE_GREY = 2;
  private static final int COLOURSPACE_CMYK = 3;
  private static final int COLOURSPACE_YCCK = 4;
  /** The accurate integer IDCT, as ImageIO and PIL use (also the library's default). */
  private static final int FLAG_ACCURATE_DCT = 4096;
  /** A truncated or damaged JPEG fails at the first warning instead of decoding a grey bottom. */
  private static final int FLAG_STOP_ON_WARNING = 8192;

  /** The reductions libjpeg-turbo decodes with its SIMD IDCT: 1/8, 1/4, 1/2 of each side. */
  private static final int[] REDUCTIONS = {8, 4, 2};

  private TurboJpeg() {
  }

  /** The library's functions, bound to libturbojpeg by JNA direct mapping. */
  private static final class Library {
    static native Pointer tjInitDecompress();

    static native int tjDecompressHeader3(Pointer handle, byte[] jpeg, NativeLong size, int[] width, int[] height,
        int[] subsampling, int[] colourspace);

    static native int tjDecompress2(Pointer handle, byte[] jpeg, NativeLong size, byte[] pixels, int width, int pitch,
        int height, int pixelFormat, int flags);

    static native String tjGetErrorStr2(Pointer handle);

    static native int tjDestroy(Pointer handle);
  }

  /** Binds libturbojpeg; a LinkageError says why it cannot (no such library, no JNA native here). */
  static TurboJpeg load() {
    // JNA unpacks its own small native library before binding any other; on Linux it would put it
    // under ~/.cache, read-only in a pod. The JVM's temp directory is writable there (and the file
    // is deleted once loaded).
    if (System.getProperty("jna.tmpdir") == null) {
      System.setProperty("jna.tmpdir", System.getProperty("java.io.tmpdir"));
    }
    Native.register(Library.class, "turbojpeg");
    return new TurboJpeg();
  }

  /**
   * Decodes a JPEG, or returns empty for a CMYK/YCCK (Adobe) JPEG, which TurboJPEG 2 cannot turn into
   * RGB. The size in the header is checked against {@code maxPixels} before any pixel is decoded.
   * {@code shortSide} > 0 allows a reduced decode whose short side is still at least
   * {@code shortSide}; 0 decodes at full size.
   */
  Optional<DecodedPixels> decode(byte[] jpeg, int shortSide, long maxPixels) throws ImageDecoder.CorruptImageException {
    NativeLong length = new NativeLong(jpeg.length);
    Pointer handle = Library.tjInitDecompress();
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
      if (Library.tjDecompressHeader3(handle, jpeg, length, fullWidth, fullHeight, subsampling, colourspace) != 0) {
        throw new ImageDecoder.CorruptImageException(Library.tjGetErrorStr2(handle), null);
      }
      ImageDecoder.checkSize(fullWidth[0], fullHeight[0], maxPixels);
      if (colourspace[0] == COLOURSPACE_CMYK || colourspace[0] == COLOURSPACE_YCCK) {
        return Optional.empty();
      }
      boolean grey = colourspace[0] == COLOURSPACE_GREY;
      int reduction = reduction(fullWidth[0], fullHeight[0], shortSide);
      int width = scaled(fullWidth[0], reduction);
      int height = scaled(fullHeight[0], reduction);
      int channels = grey ? 1 : 3;
      byte[] interleaved = new byte[channels * width * height];
      // Asked for width x height, TurboJPEG picks the IDCT scaling that gives exactly that size.
      if (Library.tjDecompress2(handle, jpeg, length, interleaved, width, 0, height, grey ? PIXEL_GREY : PIXEL_RGB,
          FLAG_ACCURATE_DCT | FLAG_STOP_ON_WARNING) != 0) {
        throw new ImageDecoder.CorruptImageException(Library.tjGetErrorStr2(handle), null);
      }
      byte[] pixels = grey ? interleaved : channelMajor(interleaved, height * width);
      return Optional.of(new DecodedPixels(channels, height, width, pixels));
    } finally {
      Library.tjDestroy(handle);
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

  /** RGBRGB... to RRR...GGG...BBB..., the worker's layout. */
  private static byte[] channelMajor(byte[] interleaved, int plane) {
    byte[] pixels = new byte[3 * plane];
    for (int i = 0, j = 0; i < plane; i++, j += 3) {
      pixels[i] = interleaved[j];
      pixels[plane + i] = interleaved[j + 1];
      pixels[2 * plane + i] = interleaved[j + 2];
    }
    return pixels;
  }
}
