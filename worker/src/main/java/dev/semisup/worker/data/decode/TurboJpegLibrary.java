package dev.semisup.worker.data.decode;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * libturbojpeg's decompression functions and constants (turbojpeg.h, TurboJPEG 2.x), bound by JNA
 * direct mapping: the one binding {@link TurboJpeg} decodes through and the decode benchmark times
 * the library alone through.
 */
public final class TurboJpegLibrary {

  public static final int PIXEL_RGB = 0;
  public static final int PIXEL_GREY = 6;
  public static final int COLOURSPACE_GREY = 2;
  public static final int COLOURSPACE_CMYK = 3;
  public static final int COLOURSPACE_YCCK = 4;
  /** The accurate integer IDCT, as ImageIO and PIL use (also the library's default). */
  public static final int FLAG_ACCURATE_DCT = 4096;
  /** A truncated or damaged JPEG fails at the first warning instead of decoding a grey bottom. */
  public static final int FLAG_STOP_ON_WARNING = 8192;

  private static boolean bound;

  private TurboJpegLibrary() {
  }

  /** Binds libturbojpeg once per process; a LinkageError says why it cannot (no library, no JNA native). */
  public static synchronized void bind() {
    if (bound) {
      return;
    }
    // JNA unpacks its own small native library before binding any other; on Linux it would put it
    // under ~/.cache, read-only in a pod. The JVM's temp directory is writable there (and the file
    // is deleted once loaded).
    if (System.getProperty("jna.tmpdir") == null) {
      System.setProperty("jna.tmpdir", System.getProperty("java.io.tmpdir"));
    }
    Native.register(TurboJpegLibrary.class, "turbojpeg");
    bound = true;
  }

  public static native Pointer tjInitDecompress();

  public static native int tjDecompressHeader3(Pointer handle, Pointer jpeg, NativeLong size, int[] width, int[] height,
      int[] subsampling, int[] colourspace);

  public static native int tjDecompress2(Pointer handle, Pointer jpeg, NativeLong size, Pointer pixels, int width,
      int pitch, int height, int pixelFormat, int flags);

  public static native String tjGetErrorStr2(Pointer handle);

  public static native int tjDestroy(Pointer handle);
}
