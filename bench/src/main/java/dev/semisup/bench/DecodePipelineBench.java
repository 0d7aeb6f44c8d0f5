package dev.semisup.bench;

import dev.semisup.api.WorkerContract;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.formats.TarShardSource;
import dev.semisup.worker.data.pipeline.DecodeSettings;
import dev.semisup.worker.data.pipeline.OrderedDecoding;
import dev.semisup.worker.model.InputNormalisation;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.PixelBatch;
import dev.semisup.worker.model.PoolScorer;
import dev.semisup.worker.model.ReplicatedScoring;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.ReadAheadSettings;
import dev.semisup.worker.store.S3TestServer;
import dev.semisup.worker.store.StoreConnection;
import io.minio.PutObjectArgs;
import dev.semisup.worker.testing.PackedTars;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The decode pipeline on a real S3 server (S3Proxy in this JVM): WebDataset tars of 500x375 JPEGs
 * read by {@link TarShardSource} (read on the consumer's thread, decode + resize to 224x224 RGB on
 * the pipeline's threads, libjpeg-turbo), handed to a synthetic device of fixed rate, a stand-in
 * for a GPU that takes a batch of B images and is then busy for B / rate seconds. The hand-over is
 * infer's own: the 8-bit pixels into {@link PixelBatch}es scored by {@link ReplicatedScoring} on
 * its thread, so the consumer reads and fills the next batch while the device works.
 *
 * <ol>
 *   <li>Decode capacity: a consumer that never waits, on 1 and on every core's thread; decode
 *       images/s per core from the decode threads' CPU time (ThreadMXBean), so a loaded machine
 *       slows the wall clock but not the per-core figure.
 *   <li>Fixed-rate consumers below and above that capacity: the rate delivered against the
 *       device's rate (target >= 0.95 up to the capacity), and the time the device sat idle.
 *   <li>Memory: the heap in use after a full GC at each quarter of a slow consumer's pass, flat
 *       when only the window, never the data set, is held.
 * </ol>
 *
 * Usage: {@code DecodePipelineBench IMAGES FILES BATCH} (bench/pipeline.sh).
 */
public final class DecodePipelineBench {

  private static final int WIDTH = 500;
  private static final int HEIGHT = 375;
  private static final int DISTINCT = 64;
  private static final int ROUNDS = 3;
  private static final ImageGeometry MODEL_INPUT = new ImageGeometry(3, 224);

  private DecodePipelineBench() {
  }

  public static void main(String[] args) throws Exception {
    int images = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
    int files = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int cores = Runtime.getRuntime().availableProcessors();
    int window = DecodeSettings.DEFAULT_WINDOW;
    try (S3TestServer s3 = S3TestServer.start("runs")) {
      s3.createBucket("pool");
      long bytes = writePool(s3, images, files);
      System.out.printf("pool: %,d JPEGs of %dx%d in %d tar files, %,d bytes (%,d per image) on %s%n", images, WIDTH,
          HEIGHT, files, bytes, bytes / images, s3.endpoint());
      System.out.println("load average before: " + loadAverage());
      Map<String, String> env = Map.of(WorkerContract.ENV_ACCESS_KEY, s3.accessKey(), WorkerContract.ENV_SECRET_KEY, s3.secretKey());
      try (StoreConnection connection = StoreConnection.open(PoolScaleBench.spec(s3, 1, 1).getStorage(), env, null)) {
        Blobs blobs = connection.dataBlobs();
        pass(blobs, images, new DecodeSettings(1, window), 0, batch, false); // warm-up: JIT, S3 connections

        System.out.println();
        System.out.println("| decode threads | images | wall s | images/s (wall) | decode CPU s | decode images/s per core (CPU) | read + hand-over CPU s (consumer thread) | cores per 1,000 images/s (decode + consumer) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        double capacity = 0;
        for (int threads : new int[] {1, cores}) {
          Pass pass = pass(blobs, images, new DecodeSettings(threads, window), 0, batch, false);
          System.out.printf("| %d | %,d | %.1f | %.0f | %.1f | %.0f | %.2f | %.2f |%n", threads, pass.images, pass.wallSeconds,
              pass.images / pass.wallSeconds, pass.decodeCpuSeconds, pass.images / pass.decodeCpuSeconds,
              pass.consumerCpuSeconds, 1000 * (pass.decodeCpuSeconds + pass.consumerCpuSeconds) / pass.images);
          capacity = pass.images / pass.wallSeconds;
        }

        // A shared machine's load moves the wall capacity from pass to pass: each round measures it
        // again just before its rates, and the rounds are reported apart.
        System.out.println();
        System.out.printf("Fixed-rate device, batch %d, %d decode threads, window %d; %d rounds, each: the capacity (wall,"
            + " a consumer that never waits), then the device at fractions of it%n", batch, cores, window, ROUNDS);
        System.out.println("| round | capacity images/s | device rate images/s | x capacity | first batch s (start-up) | delivered images/s after it | delivered / rate (device busy share) | device idle s (share after start-up) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int round = 1; round <= ROUNDS; round++) {
          Pass measured = pass(blobs, images, new DecodeSettings(cores, window), 0, batch, false);
          capacity = measured.images / measured.wallSeconds;
          for (double fraction : new double[] {0.5, 0.8, 0.95, 1.5}) {
            double rate = capacity * fraction;
            Pass pass = pass(blobs, images, new DecodeSettings(cores, window), rate, batch, false);
            // From the end of the device's first batch on, it scored every other image.
            double steady = pass.wallSeconds - pass.firstBatchSeconds;
            double delivered = (pass.images - batch) / steady;
            double idle = steady - pass.busySeconds;
            System.out.printf("| %d | %.0f | %.0f | %.2f | %.2f | %.1f | %.3f | %.2f (%.1f%%) |%n", round, capacity, rate,
                fraction, pass.firstBatchSeconds, delivered, delivered / rate, idle, 100 * idle / steady);
          }
        }

        System.out.println();
        Pass slow = pass(blobs, images, new DecodeSettings(cores, window), capacity * 0.5, batch, true);
        System.out.println("Heap in use after a full GC at each quarter of a pass with a consumer at 0.5x capacity (MiB): "
            + slow.heapMiB + "; window " + window + " images x " + (3 * 224 * 224 / 1024) + " KiB decoded = "
            + (window * 3L * 224 * 224 >> 20) + " MiB at most, plus their encoded bytes");
      }
      System.out.println("load average after: " + loadAverage());
    }
  }

  private static final class Pass {
    long images;
    long batches;
    double firstBatchSeconds;
    double wallSeconds;
    double busySeconds;
    double decodeCpuSeconds;
    double consumerCpuSeconds;
    final List<Long> heapMiB = new ArrayList<>();
  }

  /**
   * One pass over the pool. With {@code rate} > 0 the images go as infer hands them over, 8-bit
   * into batches scored on their own thread by a {@link FixedRateDevice}; with 0 the consumer only
   * takes them (the decode capacity).
   */
  private static Pass pass(Blobs blobs, long total, DecodeSettings decoding, double rate, int batch, boolean sampleHeap)
      throws IOException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    // One stream per tar, so the consumer thread's CPU holds the S3 reads (read-ahead: ReadAheadBench).
    TarShardSource source = new TarShardSource(blobs, "s3://pool/jpegs/", false, true, MODEL_INPUT, Long.MAX_VALUE, decoding)
        .readingAhead(ReadAheadSettings.sequential());
    Pass pass = new Pass();
    long consumerCpu = threads.getCurrentThreadCpuTime();
    long started = System.nanoTime();
    long nextQuarter = total / 4;
    FixedRateDevice device = new FixedRateDevice(Math.max(rate, 1));
    try (ImageStream stream = source.open();
         ReplicatedScoring scoring = ReplicatedScoring.over(device, List.of(device.device()), NORMALISATION, batch)) {
      for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
        pass.images++;
        if (rate > 0) {
          scoring.batch().add(image.pixels());
          if (scoring.batch().full()) {
            scoring.score(probabilities -> { });
            pass.batches++;
          }
        }
        if (sampleHeap && pass.images >= nextQuarter) {
          System.gc();
          Runtime runtime = Runtime.getRuntime();
          pass.heapMiB.add((runtime.totalMemory() - runtime.freeMemory()) >> 20);
          nextQuarter += total / 4;
        }
      }
      if (rate > 0) {
        if (scoring.batch().count() > 0) {
          pass.batches++;
        }
        scoring.score(probabilities -> { });
        scoring.finish();
      }
      // Before close: the decode threads end with the pass, and their CPU time with them.
      long decodeCpu = 0;
      for (Thread thread : Thread.getAllStackTraces().keySet()) {
        if (thread.getName().startsWith(OrderedDecoding.THREAD_PREFIX)) {
          decodeCpu += Math.max(0, threads.getThreadCpuTime(thread.getId()));
        }
      }
      pass.decodeCpuSeconds = decodeCpu / 1e9;
    }
    pass.wallSeconds = (System.nanoTime() - started) / 1e9;
    pass.consumerCpuSeconds = (threads.getCurrentThreadCpuTime() - consumerCpu) / 1e9;
    if (rate > 0) {
      // The first batch fills an empty pipeline: a device waits for it once per pass, reported apart.
      pass.firstBatchSeconds = (device.firstBatchEnded.get() - started) / 1e9;
      pass.busySeconds = (device.busyNanos.get() - device.firstBatchNanos.get()) / 1e9;
    }
    if (pass.images != total) {
      throw new IllegalStateException("read " + pass.images + " images of " + total);
    }
    return pass;
  }

  private static final InputNormalisation NORMALISATION =
      InputNormalisation.of(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});

  /** A stand-in for a GPU: busy for count / rate seconds per batch, whatever the images. */
  private static final class FixedRateDevice implements PoolScorer {
    private final double rate;
    final AtomicLong busyNanos = new AtomicLong();
    final AtomicLong firstBatchNanos = new AtomicLong();
    final AtomicLong firstBatchEnded = new AtomicLong();

    FixedRateDevice(double rate) {
      this.rate = rate;
    }

    @Override
    public ModelShape shape() {
      return new ModelShape(3, MODEL_INPUT.size(), 1);
    }

    @Override
    public ai.djl.Device device() {
      return ai.djl.Device.cpu();
    }

    @Override
    public float[] probabilities(float[] images, int count) {
      throw new UnsupportedOperationException("infer hands 8-bit batches");
    }

    @Override
    public float[] probabilities(PixelBatch batch, InputNormalisation normalisation) {
      long busy = (long) (batch.count() / rate * 1e9);
      long start = System.nanoTime();
      long end = start + busy;
      for (long left = busy; left > 0; left = end - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      long took = System.nanoTime() - start;
      if (firstBatchEnded.get() == 0) {
        firstBatchNanos.set(took);
        firstBatchEnded.set(System.nanoTime());
      }
      busyNanos.addAndGet(took);
      return new float[batch.count()];
    }

    @Override
    public PoolScorer replica(ai.djl.Device device) {
      return this;
    }

    @Override
    public void close() {
    }
  }

  /** DISTINCT synthetic photos (gradients, shapes, noise: JPEG sizes like a photo's), repeated over the files. */
  private static long writePool(S3TestServer s3, int images, int files) throws Exception {
    Random random = new Random(17);
    List<byte[]> jpegs = new ArrayList<>();
    for (int i = 0; i < DISTINCT; i++) {
      jpegs.add(photo(random));
    }
    long total = 0;
    int image = 0;
    for (int file = 0; file < files; file++) {
      int count = images / files + (file < images % files ? 1 : 0);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
        for (int i = 0; i < count; i++, image++) {
          String key = String.format("%09d", image);
          PackedTars.member(tar, key + ".jpg", jpegs.get(image % DISTINCT));
          PackedTars.member(tar, key + ".cls", Integer.toString(image % 10).getBytes());
        }
      }
      byte[] data = bytes.toByteArray();
      s3.client().putObject(PutObjectArgs.builder().bucket("pool").object(String.format("jpegs/part-%05d.tar", file))
          .stream(new ByteArrayInputStream(data), data.length, -1).build());
      total += data.length;
    }
    return total;
  }

  private static byte[] photo(Random random) throws IOException {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setPaint(new GradientPaint(0, 0, new Color(random.nextInt(0xffffff)), WIDTH, HEIGHT, new Color(random.nextInt(0xffffff))));
    g.fillRect(0, 0, WIDTH, HEIGHT);
    for (int shape = 0; shape < 40; shape++) {
      g.setColor(new Color(random.nextInt(0xffffff)));
      int x = random.nextInt(WIDTH);
      int y = random.nextInt(HEIGHT);
      if (shape % 2 == 0) {
        g.fillOval(x, y, 10 + random.nextInt(120), 10 + random.nextInt(120));
      } else {
        g.fillRect(x, y, 10 + random.nextInt(120), 10 + random.nextInt(120));
      }
    }
    g.dispose();
    // Texture: photos are not flat, and flat areas would make the JPEG (and its decode) unusually cheap.
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        int rgb = image.getRGB(x, y);
        int noise = random.nextInt(41) - 20;
        int r = clamp(((rgb >> 16) & 0xff) + noise);
        int gr = clamp(((rgb >> 8) & 0xff) + noise);
        int b = clamp((rgb & 0xff) + noise);
        image.setRGB(x, y, r << 16 | gr << 8 | b);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "jpg", out);
    return out.toByteArray();
  }

  private static int clamp(int value) {
    return Math.max(0, Math.min(255, value));
  }

  private static String loadAverage() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }
}
