package dev.semisup.worker.data.decode;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import dev.semisup.bench.DecodeBench;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * What else could take a photo to the model's input faster than the worker's decode + resize, per
 * core, in the same rounds: libjpeg-turbo's decode at every M/8 scale the library offers between
 * full size and a short side below the input (the IDCT does part of the shrinking), the worker's
 * resize ({@link Resampling}, on the full-size samples), and OpenCV's (bytedeco's build, SIMD
 * dispatch on) resize of the same samples by area (the worker's filter) and bilinearly (a
 * different, aliasing filter, for scale), each into channel-major 8-bit planes as the worker's.
 * OpenCV's samples are compared with the worker's, sample by sample.
 *
 * <p>Lives outside the bench module's sources (bench/resize-alternatives.sh compiles it) so that
 * OpenCV is downloaded only by whoever runs this comparison; it sits in the decode package to
 * call the package's resize directly.
 */
public final class ResizeAlternatives {

  private ResizeAlternatives() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int images = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    int width = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int height = args.length > 3 ? Integer.parseInt(args[3]) : 375;
    int size = args.length > 4 ? Integer.parseInt(args[4]) : 224;
    TurboJpegLibrary.bind();
    opencv_core.setNumThreads(0); // one core: OpenCV's own thread pool off
    List<Memory> jpegs = new ArrayList<>();
    long encoded = 0;
    for (int i = 0; i < 8; i++) {
      byte[] jpeg = DecodeBench.photoLikeJpeg(width, height, 90, i);
      Memory memory = new Memory(jpeg.length);
      memory.write(0, jpeg, 0, jpeg.length);
      jpegs.add(memory);
      encoded += jpeg.length;
    }
    System.out.printf(Locale.ROOT, "JPEG %d x %d, quality 90, %d bytes on average -> %d x %d x 3; %d rounds of %d"
        + " images; OpenCV %s, AVX2 %b, threads %d%n", width, height, encoded / 8, size, size, rounds, images,
        opencv_core.CV_VERSION(), opencv_core.checkHardwareSupport(opencv_core.CPU_AVX2), opencv_core.getNumThreads());

    // Full-size samples of each JPEG, for the resizes: on the heap (the worker's) and in native memory (OpenCV's).
    int side = Math.min(width, height);
    byte[][] samples = new byte[8][];
    BytePointer[] nativeSamples = new BytePointer[8];
    Mat[] squares = new Mat[8];
    Memory pixels = new Memory(3L * width * height);
    for (int i = 0; i < 8; i++) {
      decode(jpegs.get(i), pixels, width, height);
      samples[i] = pixels.getByteArray(0, 3 * width * height);
      nativeSamples[i] = new BytePointer(samples[i].length);
      nativeSamples[i].put(samples[i]);
      Mat whole = new Mat(height, width, opencv_core.CV_8UC3, nativeSamples[i]);
      squares[i] = new Mat(whole, new Rect((width - side) / 2, (height - side) / 2, side, side));
    }
    BytePointer planarOut = new BytePointer(3L * size * size);
    Mat resized = new Mat(size, size, opencv_core.CV_8UC3);
    MatVector planes = new MatVector(3);
    for (int c = 0; c < 3; c++) {
      planes.put(c, new Mat(size, size, opencv_core.CV_8UC1, new BytePointer(planarOut).position((long) c * size * size)));
    }

    Map<String, Runnable> sides = new LinkedHashMap<>();
    int[] next = {0};
    for (int eighths = 8; eighths >= 1; eighths--) {
      int w = (width * eighths + 7) / 8;
      int h = (height * eighths + 7) / 8;
      if (eighths < 8 && Math.min(w, h) < size && eighths != 4) {
        continue; // below the input: only 4/8 shown, for the entropy decoding's share
      }
      sides.put(String.format(Locale.ROOT, "libjpeg-turbo decode at %d/8 (%d x %d)", eighths, w, h),
          () -> decode(jpegs.get(next[0]++ % 8), pixels, w, h));
    }
    sides.put("worker resize (Resampling, area), full-size samples -> channel-major",
        () -> Resampling.centreSquareInterleaved(samples[next[0]++ % 8], 3, height, width, size));
    sides.put("OpenCV resize INTER_AREA + split -> channel-major", () -> {
      opencv_imgproc.resize(squares[next[0]++ % 8], resized, new Size(size, size), 0, 0, opencv_imgproc.INTER_AREA);
      opencv_core.split(resized, planes);
    });
    sides.put("OpenCV resize INTER_LINEAR + split (another filter)", () -> {
      opencv_imgproc.resize(squares[next[0]++ % 8], resized, new Size(size, size), 0, 0, opencv_imgproc.INTER_LINEAR);
      opencv_core.split(resized, planes);
    });

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, double[]> perRound = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(sides.keySet());
    for (String name : names) {
      perRound.put(name, new double[rounds]);
      for (int i = 0; i < images; i++) {
        sides.get(name).run(); // warm-up
      }
    }
    for (int round = 0; round < rounds; round++) {
      for (int k = 0; k < names.size(); k++) {
        String name = names.get((k + round) % names.size()); // the order rotates every round
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < images; i++) {
          sides.get(name).run();
        }
        perRound.get(name)[round] = (threads.getCurrentThreadCpuTime() - start) / 1e6 / images;
      }
    }
    System.out.println("| side | CPU ms per image, median (range) |");
    System.out.println("| --- | --- |");
    for (Map.Entry<String, double[]> timed : perRound.entrySet()) {
      double[] ms = timed.getValue().clone();
      Arrays.sort(ms);
      System.out.printf(Locale.ROOT, "| %s | %.3f (%.3f-%.3f) |%n", timed.getKey(), ms[ms.length / 2], ms[0], ms[ms.length - 1]);
    }
    for (int interpolation : new int[] {opencv_imgproc.INTER_AREA, opencv_imgproc.INTER_LINEAR}) {
      long differ = 0;
      int largest = 0;
      long total = 0;
      for (int i = 0; i < 8; i++) {
        byte[] ours = Resampling.centreSquareInterleaved(samples[i], 3, height, width, size);
        opencv_imgproc.resize(squares[i], resized, new Size(size, size), 0, 0, interpolation);
        opencv_core.split(resized, planes);
        byte[] theirs = new byte[ours.length];
        planarOut.position(0).get(theirs);
        for (int s = 0; s < ours.length; s++) {
          int d = Math.abs((ours[s] & 0xff) - (theirs[s] & 0xff));
          differ += d > 0 ? 1 : 0;
          largest = Math.max(largest, d);
        }
        total += ours.length;
      }
      System.out.printf(Locale.ROOT, "OpenCV %s against the worker's resize: %d of %d samples differ, by at most %d%n",
          interpolation == opencv_imgproc.INTER_AREA ? "INTER_AREA" : "INTER_LINEAR", differ, total, largest);
    }
  }

  /** libjpeg-turbo's decode of one JPEG to interleaved RGB of the given (scaled) size, the worker's flags. */
  private static void decode(Memory jpeg, Memory pixels, int width, int height) {
    Pointer handle = TurboJpegLibrary.tjInitDecompress();
    try {
      if (TurboJpegLibrary.tjDecompress2(handle, jpeg, new NativeLong(jpeg.size()), pixels, width, 0, height,
          TurboJpegLibrary.PIXEL_RGB, TurboJpegLibrary.FLAG_ACCURATE_DCT | TurboJpegLibrary.FLAG_STOP_ON_WARNING) != 0) {
        throw new IllegalStateException(TurboJpegLibrary.tjGetErrorStr2(handle));
      }
    } finally {
      TurboJpegLibrary.tjDestroy(handle);
    }
  }
}
