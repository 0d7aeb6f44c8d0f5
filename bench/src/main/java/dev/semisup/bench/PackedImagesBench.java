package dev.semisup.bench;

import dev.semisup.api.v1alpha1.SamplingSpec;
import dev.semisup.worker.data.decode.ImageDecoder;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.packed.TrainingReadyImages;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * What a student epoch reads and decodes, per image, when pack copies the pool's originals against
 * when it writes training-ready images ({@link TrainingReadyImages}): the bytes of the packed tar
 * (image, .cls and .json members with their tar headers, as pack writes them) and one core's CPU
 * time of the student's decode ({@link ImageDecoder#decodeFitted} to the input size) at the default
 * JPEG quality, the two sides alternating round by round. Per quality also how far the student's
 * input moves from the original's, and pack's own CPU time to make an image training-ready.
 *
 * <p>The pool: photo-like JPEGs ({@link DecodeBench#photoLikeJpeg}) at quality 90.
 *
 * <p>Arguments: {@code [images] [rounds] [width] [height] [size]}, defaults 64 7 500 375 224.
 */
public final class PackedImagesBench {

  /** A .json member as pack writes it for a top-10 entry: about this long. */
  private static final byte[] JSON = ("{\"ref\":\"s3://pool/shard-00012.tar#img-000042.jpg@1536+20480\",\"score\":0.93,"
      + "\"classes\":[3,1,7,0,2,9,4,5,6,8],\"probabilities\":[0.93,0.02,0.01,0.01,0.01,0.005,0.005,0.004,0.003,0.003]}")
      .getBytes(StandardCharsets.US_ASCII);

  private PackedImagesBench() {
  }

  public static void main(String[] args) throws IOException {
    int images = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    int width = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int height = args.length > 3 ? Integer.parseInt(args[3]) : 375;
    int size = args.length > 4 ? Integer.parseInt(args[4]) : 224;
    DecodeBench.requireLibjpegTurbo();
    List<byte[]> pool = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      pool.add(DecodeBench.photoLikeJpeg(width, height, 90, i));
    }
    int shortSide = new SamplingSpec().packShortSideFor(size);
    System.out.printf(Locale.ROOT, "pool: %d JPEGs %d x %d, quality 90, %.1f KB on average; student input %d, pack short side %d%n",
        images, width, height, bytes(pool) / 1024.0 / images, size, shortSide);

    long originalTar = tarBytes(pool);
    ImageGeometry geometry = new ImageGeometry(3, size);
    List<byte[]> ready = null;
    for (int quality : new int[] {95, 90, SamplingSpec.DEFAULT_PACK_JPEG_QUALITY, 80}) {
      TrainingReadyImages pack = new TrainingReadyImages(shortSide, quality);
      List<byte[]> packed = new ArrayList<>();
      ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
      long started = cpu.getCurrentThreadCpuTime();
      for (int i = 0; i < images; i++) {
        packed.add(pack.ofEncoded(pool.get(i), "jpg", "image-" + i).bytes());
      }
      double packMs = (cpu.getCurrentThreadCpuTime() - started) / 1e6 / images;
      long tar = tarBytes(packed);
      System.out.printf(Locale.ROOT, "short side %d, quality %d: %.1f KB per image, tar %.1f KB per sample = %.3f of the "
              + "originals' %.1f KB; the student's %d px input differs from the original's by %.2f levels of 255 on "
              + "average (pack: %.2f ms CPU per image, first pass)%n", shortSide, quality,
          bytes(packed) / 1024.0 / images, tar / 1024.0 / images, (double) tar / originalTar,
          originalTar / 1024.0 / images, size, meanDifference(pool, packed, geometry), packMs);
      if (quality == SamplingSpec.DEFAULT_PACK_JPEG_QUALITY) {
        ready = packed;
      }
    }

    // Warm-up: both sides JIT-compiled before the first timed round.
    for (int i = 0; i < 300; i++) {
      ImageDecoder.decodeFitted(pool.get(i % images), 0, "o", 0, geometry);
      ImageDecoder.decodeFitted(ready.get(i % images), 0, "p", 0, geometry);
    }
    double[] original = new double[rounds];
    double[] packed = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      if (round % 2 == 0) {
        original[round] = decodeMs(pool, geometry);
        packed[round] = decodeMs(ready, geometry);
      } else {
        packed[round] = decodeMs(ready, geometry);
        original[round] = decodeMs(pool, geometry);
      }
      System.out.printf(Locale.ROOT, "round %d: student decode to %d x %d, original %.2f ms, packed %.2f ms per image%n",
          round + 1, size, size, original[round], packed[round]);
    }
    System.out.printf(Locale.ROOT, "student decode, median of %d rounds (CPU ms per image): original %.2f (%.2f-%.2f), "
            + "packed %.2f (%.2f-%.2f), ratio %.2f%n", rounds, median(original), min(original), max(original),
        median(packed), min(packed), max(packed), median(packed) / median(original));
  }

  /** Mean absolute difference, in levels of 255, of the student's fitted inputs from the two sets of images. */
  private static double meanDifference(List<byte[]> originals, List<byte[]> packed, ImageGeometry geometry)
      throws IOException {
    long sum = 0;
    long count = 0;
    for (int i = 0; i < originals.size(); i++) {
      byte[] a = ImageDecoder.decodeFitted(originals.get(i), 0, "o", 0, geometry).pixels();
      byte[] b = ImageDecoder.decodeFitted(packed.get(i), 0, "p", 0, geometry).pixels();
      for (int j = 0; j < a.length; j++) {
        sum += Math.abs((a[j] & 0xff) - (b[j] & 0xff));
      }
      count += a.length;
    }
    return (double) sum / count;
  }

  /** One core's CPU ms per image of the student's decode over the images, three passes. */
  private static double decodeMs(List<byte[]> jpegs, ImageGeometry geometry) throws IOException {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long started = cpu.getCurrentThreadCpuTime();
    long sum = 0;
    for (int pass = 0; pass < 3; pass++) {
      for (byte[] jpeg : jpegs) {
        sum += ImageDecoder.decodeFitted(jpeg, 0, "bench", 0, geometry).pixels()[0];
      }
    }
    if (sum == Long.MIN_VALUE) {
      System.out.println(sum); // keeps the decodes from being optimised away
    }
    return (cpu.getCurrentThreadCpuTime() - started) / 1e6 / (3.0 * jpegs.size());
  }

  /** The bytes of a tar holding the images as pack writes samples: image, .cls, .json. */
  private static long tarBytes(List<byte[]> images) throws IOException {
    long[] count = new long[1];
    OutputStream counting = new OutputStream() {
      @Override
      public void write(int b) {
        count[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        count[0] += len;
      }
    };
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(counting)) {
      for (int i = 0; i < images.size(); i++) {
        String base = String.format("%010d", i);
        member(tar, base + ".jpg", images.get(i));
        member(tar, base + ".cls", "3".getBytes(StandardCharsets.US_ASCII));
        member(tar, base + ".json", JSON);
      }
    }
    return count[0];
  }

  private static void member(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(bytes.length);
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private static long bytes(List<byte[]> images) {
    return images.stream().mapToLong(b -> b.length).sum();
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }
}
