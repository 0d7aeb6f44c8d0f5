package dev.semisup.bench;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import dev.semisup.worker.data.decode.TurboJpegLibrary;

/**
 * libjpeg-turbo's decode and nothing else, the floor the worker's host path is measured against: a
 * JPEG already in native memory decoded to interleaved RGB, at the size the worker's decoder picks
 * (the largest of 1/8, 1/4, 1/2 whose short side stays at least the model's input, else full size),
 * into a reused native buffer. No copy to the Java heap, no conversion, no resize: what a C program
 * calling the library would spend. The same flags as the worker (accurate integer IDCT, stop on
 * warning).
 */
final class TurboJpegAlone implements AutoCloseable {

  private static final int[] REDUCTIONS = {8, 4, 2};

  static {
    TurboJpegLibrary.bind();
  }

  private final Memory[] jpegs;
  private final Memory pixels;
  private final int shortSide;
  private final int[] width = new int[1];
  private final int[] height = new int[1];
  private final int[] subsampling = new int[1];
  private final int[] colourspace = new int[1];

  /** The JPEGs copied into native memory once, as a C program would hold them. */
  TurboJpegAlone(java.util.List<byte[]> jpegs, int shortSide, int largestPixels) {
    this.jpegs = new Memory[jpegs.size()];
    for (int i = 0; i < jpegs.size(); i++) {
      byte[] jpeg = jpegs.get(i);
      this.jpegs[i] = new Memory(jpeg.length);
      this.jpegs[i].write(0, jpeg, 0, jpeg.length);
    }
    this.pixels = new Memory(3L * largestPixels);
    this.shortSide = shortSide;
  }

  /** Decodes JPEG i (header, then pixels) as the worker's decoder would size it; returns the pixels decoded. */
  int decode(int i) {
    Memory jpeg = jpegs[i];
    NativeLong length = new NativeLong(jpeg.size());
    Pointer handle = TurboJpegLibrary.tjInitDecompress();
    try {
      if (TurboJpegLibrary.tjDecompressHeader3(handle, jpeg, length, width, height, subsampling, colourspace) != 0) {
        throw new IllegalStateException(TurboJpegLibrary.tjGetErrorStr2(handle));
      }
      int reduction = 1;
      for (int r : REDUCTIONS) {
        if (Math.min(scaled(width[0], r), scaled(height[0], r)) >= shortSide) {
          reduction = r;
          break;
        }
      }
      int w = scaled(width[0], reduction);
      int h = scaled(height[0], reduction);
      if (TurboJpegLibrary.tjDecompress2(handle, jpeg, length, pixels, w, 0, h, TurboJpegLibrary.PIXEL_RGB,
          TurboJpegLibrary.FLAG_ACCURATE_DCT | TurboJpegLibrary.FLAG_STOP_ON_WARNING) != 0) {
        throw new IllegalStateException(TurboJpegLibrary.tjGetErrorStr2(handle));
      }
      return w * h;
    } finally {
      TurboJpegLibrary.tjDestroy(handle);
    }
  }

  private static int scaled(int side, int reduction) {
    return (side + reduction - 1) / reduction;
  }

  @Override
  public void close() {
    for (Memory jpeg : jpegs) {
      jpeg.close();
    }
    pixels.close();
  }
}
