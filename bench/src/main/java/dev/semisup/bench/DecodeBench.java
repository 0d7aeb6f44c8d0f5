package dev.semisup.bench;

import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.decode.ImageDecoder;
import dev.semisup.worker.data.decode.ImageEncoding;
import dev.semisup.worker.data.decode.ImageDecoder.JpegDecoder;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.model.PixelBatch;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * One core's cost of turning a JPEG into what a 224 px model is handed, with the worker's own
 * code, against libjpeg-turbo's decode alone in the same run. The sides:
 * <ul>
 *   <li>libjpeg-turbo's decode alone ({@link TurboJpegAlone}): to RGB at the size the worker's
 *       decoder picks, into native memory; no copy, no conversion, no resize;
 *   <li>the worker's path: {@link ImageDecoder#decodeFitted} (libjpeg-turbo's interleaved samples
 *       resampled straight to the centre square at 224 x 224, i.e. resize the short side and
 *       centre-crop), then the 8-bit pixels into the batch handed to the engine
 *       ({@link PixelBatch}), which normalises them on the device;
 *   <li>the worker's path before the engine normalised: the same decode and resize, then
 *       {@link Augmentation} (normalisation only) into a float tensor on the host;
 *   <li>ImageIO (the fallback where libturbojpeg is missing): {@link ImageDecoder} then
 *       {@link ImageGeometry#fit}, into the 8-bit batch.
 * </ul>
 *
 * <p>Per core: one thread, timed in that thread's CPU time, so the other processes of a shared
 * machine cost wall time but not the measurement. The sides alternate, in an order that rotates
 * every round; ratios are taken per round and reported as median and range.
 *
 * <p>Arguments: {@code [rounds] [imagesPerRound] [width] [height] [size]}, defaults 7 400 500 375 224.
 */
public final class DecodeBench {

  private DecodeBench() {
  }

  /** The single-core decode benchmarks measure the worker's default decoder, never the fallback. */
  static void requireLibjpegTurbo() {
    if (ImageDecoder.jpegDecoder() != JpegDecoder.LIBJPEG_TURBO) {
      throw new IllegalStateException("libturbojpeg did not load: install libturbojpeg0 (Debian) or libturbojpeg (Ubuntu)");
    }
  }

  public static void main(String[] args) throws IOException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int images = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    int width = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int height = args.length > 3 ? Integer.parseInt(args[3]) : 375;
    int size = args.length > 4 ? Integer.parseInt(args[4]) : 224;
    requireLibjpegTurbo();
    // Eight different photos, so no branch predictor or cache learns one image.
    List<byte[]> jpegs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      jpegs.add(photoLikeJpeg(width, height, 90, i));
    }
    ImageGeometry geometry = new ImageGeometry(3, size);
    Augmentation normalise = new Augmentation(Augmentation.Strength.NONE, geometry,
        new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225}, true);
    float[] tensor = new float[normalise.floatsPerImage()];
    PixelBatch batch = new PixelBatch(256, normalise.floatsPerImage());
    TurboJpegAlone alone = new TurboJpegAlone(jpegs, size, width * height);
    Work work = new Work(jpegs, geometry, normalise, tensor, batch, alone);
    System.out.printf(Locale.ROOT, "JPEG %d x %d, quality 90, %d bytes on average -> %d x %d x 3; %d rounds of %d images%n",
        width, height, jpegs.stream().mapToInt(b -> b.length).sum() / jpegs.size(), size, size, rounds, images);

    // Warm-up: both paths JIT-compiled before the first timed round.
    for (int i = 0; i < 300; i++) {
      for (Side side : Side.values()) {
        work.image(side, i % 8);
      }
    }
    Side[] sides = Side.values();
    double[][] rates = new double[sides.length][rounds];
    for (int round = 0; round < rounds; round++) {
      // The order rotates every round (A B C, B C A, C A B, ...): no side always runs first.
      StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
      for (int k = 0; k < sides.length; k++) {
        Side side = sides[(round + k) % sides.length];
        rates[side.ordinal()][round] = rate(side, work, images);
      }
      for (Side side : sides) {
        line.append(String.format(Locale.ROOT, " %s %.0f img/s", side.label, rates[side.ordinal()][round]));
      }
      System.out.println(line);
    }
    for (Side side : sides) {
      double[] rate = rates[side.ordinal()];
      System.out.printf(Locale.ROOT, "%-44s median %4.0f img/s per core (%.2f ms per image), range %.0f - %.0f%n",
          side.label, median(rate), 1000 / median(rate), min(rate), max(rate));
    }
    // Cost per image relative to the decode alone: the decode's rate over the side's, round by round.
    for (Side side : List.of(Side.OURS, Side.OURS_FLOATS, Side.IMAGEIO)) {
      double[] ratios = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        ratios[round] = rates[Side.DECODE_ALONE.ordinal()][round] / rates[side.ordinal()][round];
      }
      System.out.printf(Locale.ROOT, "cost of %s / %s: median %.2fx, range %.2fx - %.2fx (per round)%n",
          side.label, Side.DECODE_ALONE.label, median(ratios), min(ratios), max(ratios));
    }
    breakdown(jpegs, geometry, normalise, tensor, images);
    alone.close();
  }

  /** The three ways to the tensor that are compared. */
  private enum Side {
    DECODE_ALONE("libjpeg-turbo decode alone"),
    OURS("worker: decode + resize -> 8-bit batch"),
    OURS_FLOATS("worker before: + host floats"),
    IMAGEIO("ImageIO fallback -> 8-bit batch");

    final String label;

    Side(String label) {
      this.label = label;
    }
  }

  /**
   * Where the time goes, per step, for each decoder decoding to channel-major pixels and then
   * fitting them, and for ours fused as the worker runs it (CPU ms per image, medians of 3).
   */
  private static void breakdown(List<byte[]> jpegs, ImageGeometry geometry, Augmentation normalise, float[] tensor,
      int images) throws IOException {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (JpegDecoder decoder : JpegDecoder.values()) {
      double[] decode = new double[3];
      double[] fit = new double[3];
      double[] norm = new double[3];
      for (int r = 0; r < 3; r++) {
        long decodeNanos = 0;
        long fitNanos = 0;
        long normNanos = 0;
        for (int i = 0; i < images; i++) {
          long t0 = cpu.getCurrentThreadCpuTime();
          ImageRecord decoded = ImageDecoder.decodeWith(decoder, jpegs.get(i % jpegs.size()), i, "bench", -1,
              geometry.size(), ImageDecoder.MAX_PIXELS);
          long t1 = cpu.getCurrentThreadCpuTime();
          ImageRecord fitted = geometry.fit(decoded);
          long t2 = cpu.getCurrentThreadCpuTime();
          normalise.apply(fitted, null, tensor, 0);
          long t3 = cpu.getCurrentThreadCpuTime();
          decodeNanos += t1 - t0;
          fitNanos += t2 - t1;
          normNanos += t3 - t2;
        }
        decode[r] = decodeNanos / 1e6 / images;
        fit[r] = fitNanos / 1e6 / images;
        norm[r] = normNanos / 1e6 / images;
      }
      System.out.printf(Locale.ROOT, "breakdown %s: decode %.2f ms, resize + crop %.2f ms, normalise %.2f ms%n",
          decoder, median(decode), median(fit), median(norm));
    }
    // Ours as the worker runs it: decode and resize in one call, from libjpeg-turbo's interleaved samples.
    double[] fused = new double[3];
    for (int r = 0; r < 3; r++) {
      long start = cpu.getCurrentThreadCpuTime();
      for (int i = 0; i < images; i++) {
        ImageDecoder.decodeFittedWith(JpegDecoder.LIBJPEG_TURBO, jpegs.get(i % jpegs.size()), i, "bench", -1, geometry,
            ImageDecoder.MAX_PIXELS);
      }
      fused[r] = (cpu.getCurrentThreadCpuTime() - start) / 1e6 / images;
    }
    System.out.printf(Locale.ROOT, "breakdown LIBJPEG_TURBO decodeFitted (the worker's path): decode + resize + crop %.2f ms%n",
        median(fused));
  }

  private static double rate(Side side, Work work, int images) throws IOException {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long start = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < images; i++) {
      work.image(side, i % 8);
    }
    return images / ((cpu.getCurrentThreadCpuTime() - start) / 1e9);
  }

  /** One image's work on each side, with the buffers a decoding thread keeps. */
  private record Work(List<byte[]> jpegs, ImageGeometry geometry, Augmentation normalise, float[] tensor,
      PixelBatch batch, TurboJpegAlone alone) {

    void image(Side side, int i) throws IOException {
      byte[] jpeg = jpegs.get(i);
      switch (side) {
        case DECODE_ALONE -> alone.decode(i);
        // The worker's call (DecodingStream): decode and fit in one, straight from libjpeg-turbo's samples.
        case OURS -> toBatch(ImageDecoder.decodeFittedWith(JpegDecoder.LIBJPEG_TURBO, jpeg, 0, "bench", -1, geometry,
            ImageDecoder.MAX_PIXELS));
        case OURS_FLOATS -> normalise.apply(ImageDecoder.decodeFittedWith(JpegDecoder.LIBJPEG_TURBO, jpeg, 0, "bench",
            -1, geometry, ImageDecoder.MAX_PIXELS), null, tensor, 0);
        case IMAGEIO -> toBatch(geometry.fit(ImageDecoder.decodeWith(JpegDecoder.IMAGEIO, jpeg, 0, "bench", -1,
            geometry.size(), ImageDecoder.MAX_PIXELS)));
      }
    }

    private void toBatch(ImageRecord image) {
      if (batch.full()) {
        batch.clear();
      }
      batch.add(image.pixels());
    }
  }

  /**
   * A photo-like JPEG: smooth gradients and soft blobs (sky, objects) with fine sensor-like noise,
   * so the encoder spends its bits as on a photo rather than on a flat or a random image.
   */
  public static byte[] photoLikeJpeg(int width, int height, int quality, long seed) throws IOException {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    double[][] blobs = new double[12][];
    for (int b = 0; b < blobs.length; b++) {
      blobs[b] = new double[] {random.nextDouble() * width, random.nextDouble() * height,
          20 + random.nextDouble() * width / 4.0, random.nextInt(256), random.nextInt(256), random.nextInt(256)};
    }
    SplittableRandom noise = new SplittableRandom(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double r = 90 + 120.0 * y / height;
        double g = 120 + 60.0 * x / width;
        double bl = 200 - 100.0 * y / height;
        for (double[] blob : blobs) {
          double dx = x - blob[0];
          double dy = y - blob[1];
          double w = Math.exp(-(dx * dx + dy * dy) / (2 * blob[2] * blob[2]));
          r += w * (blob[3] - r);
          g += w * (blob[4] - g);
          bl += w * (blob[5] - bl);
        }
        double texture = 12 * Math.sin(x / 3.0 + y / 5.0) * Math.sin(y / 7.0);
        r = clamp(r + texture + noise.nextGaussian() * 6);
        g = clamp(g + texture + noise.nextGaussian() * 6);
        bl = clamp(bl + texture + noise.nextGaussian() * 6);
        image.setRGB(x, y, (int) r << 16 | (int) g << 8 | (int) bl);
      }
    }
    return ImageEncoding.jpeg(image, quality);
  }

  private static double clamp(double value) {
    return Math.max(0, Math.min(255, value));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double min(double[] values) {
    return java.util.Arrays.stream(values).min().orElseThrow();
  }

  private static double max(double[] values) {
    return java.util.Arrays.stream(values).max().orElseThrow();
  }
}
