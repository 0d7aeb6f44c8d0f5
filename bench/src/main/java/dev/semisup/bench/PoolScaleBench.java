package dev.semisup.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.progress.ProgressListener;
import dev.semisup.worker.run.StageRunner;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.CandidateShardWriter;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.stages.CountingBlobs;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.ObjectStore;
import dev.semisup.worker.store.S3TestServer;
import dev.semisup.worker.store.StoreConnection;
import io.minio.PutObjectArgs;
import dev.semisup.worker.testing.PackedTars;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The data path at scale, on a real S3 server (S3Proxy in this JVM): a synthetic pool of N small
 * grey PNGs in M WebDataset tars, scored by a random cnn-small teacher.
 *
 * <ol>
 *   <li>Bytes and images read by S = 1, 2, 4 infer shards (a counting Blobs per shard): together
 *       they should read the pool once, 1.0x its bytes.
 *   <li>Bytes select reads from the store for each S (its ranged reads of the candidate shards),
 *       beside the bytes of the candidates it keeps and of the shards it reads them from; for
 *       S = 16 and 64 too, each after one untimed infer pass.
 *   <li>Per-shard CPU time: the process's CPU time during the shard less that of the threads
 *       still alive after it (S3Proxy's server threads), so the shard's own thread, PyTorch's
 *       intra-op thread and the decode pipeline's threads (which end with the shard) count; the
 *       median of interleaved repeats, which should fall as 1/S.
 *   <li>Peak RSS (VmHWM) of infer (one shard over the whole pool), select and pack, each a child
 *       JVM running {@code semisup stage} against the same server.
 * </ol>
 *
 * Usage: {@code PoolScaleBench IMAGES FILES REPEATS HEAP} (bench/pool-scale.sh).
 */
public final class PoolScaleBench {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SIDE = 16;
  private static final int CLASSES = 10;
  private static final int[] SHARDS = {1, 2, 4};
  /** Shard counts whose select bytes are measured too (after one untimed infer pass each). */
  private static final int[] SELECT_ONLY_SHARDS = {16, 64};

  private PoolScaleBench() {
  }

  public static void main(String[] args) throws Exception {
    int images = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int files = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    String childHeap = args.length > 3 ? args[3] : "256m";
    // PNGs encoded in memory: ImageIO's default file cache makes a temp file per image, which
    // turned writing a million of them from minutes into most of an hour.
    ImageIO.setUseCache(false);
    try (S3TestServer s3 = S3TestServer.start("runs")) {
      s3.createBucket("pool");
      long poolBytes = writePool(s3, images, files);
      writeTeacher(s3);
      System.out.printf("pool: %,d images (%dx%d) in %d tar files, %,d bytes on %s%n", images, storedSide(), storedSide(), files, poolBytes, s3.endpoint());
      Map<String, String> env = Map.of(WorkerContract.ENV_ACCESS_KEY, s3.accessKey(), WorkerContract.ENV_SECRET_KEY, s3.secretKey());

      Map<Integer, List<long[]>> cpu = new LinkedHashMap<>(); // shards -> per repeat, per shard CPU ns
      Map<Integer, long[][]> reads = new HashMap<>(); // shards -> per shard {bytes, images}
      Map<Integer, long[]> selects = new LinkedHashMap<>(); // shards -> select's {bytes read, kept, shards' bytes}
      for (int repeat = 0; repeat < repeats; repeat++) {
        for (int shards : SHARDS) {
          SemiSupervisedRunSpec spec = spec(s3, shards, 1);
          try (StoreConnection connection = StoreConnection.open(spec.getStorage(), env, null)) {
            ObjectStore store = connection.artifactStore();
            String prefix = "bench/r" + repeat + "-s" + shards;
            long[] cpuPerShard = new long[shards];
            long[][] perShard = new long[shards][];
            for (int shard = 0; shard < shards; shard++) {
              CountingBlobs counting = new CountingBlobs(connection.dataBlobs(), "s3://pool/images/");
              StageContext context = context(spec, "infer", shard, prefix, store, counting);
              ShardCpu cpuTime = ShardCpu.start();
              StageRunner.run(context);
              cpuPerShard[shard] = cpuTime.stop();
              long done = JSON.readTree(store.get(context.layout().shardProgress(context.step(), shard))).get("done").asLong();
              perShard[shard] = new long[] {counting.bytes(), done, counting.opens().size()};
            }
            cpu.computeIfAbsent(shards, s -> new ArrayList<>()).add(cpuPerShard);
            reads.put(shards, perShard);
            if (repeat == 0) {
              selects.put(shards, select(spec, prefix, store, connection.dataBlobs()));
            }
            // Each pass as it ends: a long run interrupted still leaves its numbers.
            System.out.printf("pass: repeat %d, S = %d: bytes %s, images %s, CPU s %s%n", repeat + 1, shards,
                Arrays.stream(perShard).map(r -> String.format("%,d", r[0])).toList(),
                Arrays.stream(perShard).map(r -> String.format("%,d", r[1])).toList(),
                Arrays.stream(cpuPerShard).mapToObj(ns -> String.format("%.2f", ns / 1e9)).toList());
            System.out.flush();
          }
        }
      }
      if (repeats > 0) {
        // More shards for select's bytes alone: one infer pass each, not timed.
        for (int shards : SELECT_ONLY_SHARDS) {
          SemiSupervisedRunSpec spec = spec(s3, shards, 1);
          try (StoreConnection connection = StoreConnection.open(spec.getStorage(), env, null)) {
            String prefix = "bench/select-s" + shards;
            for (int shard = 0; shard < shards; shard++) {
              StageRunner.run(context(spec, "infer", shard, prefix, connection.artifactStore(), connection.dataBlobs()));
            }
            selects.put(shards, select(spec, prefix, connection.artifactStore(), connection.dataBlobs()));
          }
        }
        printReads(reads, cpu, repeats, poolBytes);
        printSelects(selects);
      }

      // Peak RSS of each step in its own JVM: infer (one shard, whole pool), select, pack.
      SemiSupervisedRunSpec spec = spec(s3, 1, 1);
      System.out.println();
      System.out.println("| step (child JVM, -Xmx" + childHeap + ") | peak RSS (VmHWM) MiB | wall s | exit |");
      System.out.println("| --- | --- | --- | --- |");
      // In the order of the run, in a prefix of their own: each step checks the run marker that
      // the first one writes (the in-JVM passes above write none, so their prefixes are not a
      // run's to a child).
      for (String step : List.of("infer", "select", "pack")) {
        long[] result = child(spec, step, "bench/rss", s3, childHeap);
        System.out.printf("| %s | %d | %.1f | %d |%n", step, result[0] / 1024, result[1] / 1000.0, result[2]);
        System.out.flush();
      }
    }
  }

  private static void printReads(Map<Integer, long[][]> reads, Map<Integer, List<long[]>> cpu, int repeats,
      long poolBytes) {
    System.out.println();
    System.out.println("| shards S | bytes read, all shards | x pool | images scored, all shards | per shard: bytes / images / files | per-shard CPU s, median of " + repeats + " (each shard) | max shard CPU x S / S=1 |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
    double oneShard = median(cpu.get(1), 0);
    for (int shards : SHARDS) {
      long[][] perShard = reads.get(shards);
      long bytes = Arrays.stream(perShard).mapToLong(r -> r[0]).sum();
      long scored = Arrays.stream(perShard).mapToLong(r -> r[1]).sum();
      StringBuilder detail = new StringBuilder();
      StringBuilder cpus = new StringBuilder();
      double slowest = 0;
      for (int shard = 0; shard < shards; shard++) {
        detail.append(shard == 0 ? "" : "; ").append(String.format("%,d / %,d / %d", perShard[shard][0], perShard[shard][1], perShard[shard][2]));
        double seconds = median(cpu.get(shards), shard);
        slowest = Math.max(slowest, seconds);
        cpus.append(shard == 0 ? "" : ", ").append(String.format("%.2f", seconds));
      }
      System.out.printf("| %d | %,d | %.4f | %,d | %s | %s | %.2f |%n", shards, bytes, (double) bytes / poolBytes, scored,
          detail, cpus, slowest * shards / oneShard);
    }
  }

  /**
   * Runs select over the S candidate shards just written: {bytes it read from the store, bytes of
   * the candidates it kept (their entries, as in the shards), bytes of the candidate shards (what
   * reading them whole would move)}.
   */
  private static long[] select(SemiSupervisedRunSpec spec, String prefix, ObjectStore store, Blobs blobs)
      throws IOException {
    StageContext context = context(spec, "select", 0, prefix, store, blobs);
    long before = store.bytesRead();
    StageRunner.run(context);
    long moved = store.bytesRead() - before;
    byte[] part = store.get(context.layout().indexPart(context.step(), 0));
    long kept = 0;
    for (Candidate candidate : SampledIndex.readAll(new ByteArrayInputStream(part), "part-00000.bin")) {
      kept += CandidateShardWriter.entryBytes(candidate);
    }
    PlannedStep infer = context.plan().sibling(context.step(), Stage.INFER);
    long shardBytes = 0;
    for (int shard = 0; shard < infer.shards(); shard++) {
      shardBytes += store.get(context.layout().candidateShard(infer, shard)).length;
    }
    System.out.printf("select: S = %d: read %,d bytes, kept %,d bytes of candidates, shards hold %,d bytes%n",
        infer.shards(), moved, kept, shardBytes);
    return new long[] {moved, kept, shardBytes};
  }

  private static void printSelects(Map<Integer, long[]> selects) {
    System.out.println();
    System.out.println("| shards S | select read from the store, bytes | kept candidates, bytes | read / kept | candidate shards, bytes (read whole: the old way) | shards / kept |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    for (Map.Entry<Integer, long[]> select : selects.entrySet()) {
      long[] r = select.getValue();
      System.out.printf("| %d | %,d | %,d | %.3f | %,d | %.2f |%n", select.getKey(), r[0], r[1], (double) r[0] / r[1],
          r[2], (double) r[2] / r[1]);
    }
  }

  /**
   * CPU time of one shard run in this JVM: the process's CPU time over the run less the CPU time
   * the server's threads (alive at the end, other than this one) spent meanwhile. The decode
   * threads start and end with the shard, so they are in the first term and not the second.
   */
  private record ShardCpu(long processBefore, Map<Long, Long> threadsBefore) {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static ShardCpu start() {
      return new ShardCpu(processCpu(), threadCpu());
    }

    long stop() {
      long process = processCpu() - processBefore;
      long self = Thread.currentThread().getId();
      long others = 0;
      for (Map.Entry<Long, Long> thread : threadCpu().entrySet()) {
        if (thread.getKey() != self) {
          others += thread.getValue() - threadsBefore.getOrDefault(thread.getKey(), 0L);
        }
      }
      return process - others;
    }

    private static long processCpu() {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static Map<Long, Long> threadCpu() {
      Map<Long, Long> cpu = new HashMap<>();
      for (long id : THREADS.getAllThreadIds()) {
        long time = THREADS.getThreadCpuTime(id);
        if (time >= 0) {
          cpu.put(id, time);
        }
      }
      return cpu;
    }
  }

  private static double median(List<long[]> repeats, int shard) {
    double[] values = repeats.stream().mapToDouble(r -> r[shard] / 1e9).sorted().toArray();
    return values[values.length / 2];
  }

  static SemiSupervisedRunSpec spec(S3TestServer s3, int shards, int packShards) throws Exception {
    String yaml = """
        apiVersion: semisup.dev/v1alpha1
        kind: SemiSupervisedRun
        metadata: {name: scale}
        spec:
          storage: {endpoint: "%1$s", bucket: runs, credentialsSecret: bench}
          data:
            classes: %2$d
            imageSize: %3$d
            channels: 1
            labeled: {uri: "s3://pool/images/", format: tar}
            unlabeled: {uri: "s3://pool/images/", format: tar}
            validation: {uri: "s3://pool/images/", format: tar}
          teacher: {architecture: cnn-small, checkpoint: "s3://pool/teacher.params"}
          student: {architecture: cnn-small}
          sampling: {topK: 1000, topP: 3, shards: %4$d, packShards: %5$d}
        """.formatted(s3.endpoint(), CLASSES, SIDE, shards, packShards);
    return Manifests.parse(yaml, "scale.yaml").getSpec();
  }

  private static StageContext context(SemiSupervisedRunSpec spec, String step, int shard, String prefix,
      ObjectStore store, Blobs blobs) {
    StagePlan plan = StagePlan.of(spec);
    return new StageContext("scale", spec, plan, plan.require(step), shard, new ObjectLayout(prefix), store, blobs,
        ProgressListener.NONE, Clock.systemUTC(), Duration.ofSeconds(30));
  }

  /** Runs {@code semisup stage STEP} in a child JVM; returns {peak RSS KiB, wall ms, exit code}. */
  private static long[] child(SemiSupervisedRunSpec spec, String step, String prefix, S3TestServer s3, String heap)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"));
    // Extra JVM options for the children only, e.g. Native Memory Tracking to see where the RSS
    // above the heap goes: BENCH_CHILD_OPTS="-XX:NativeMemoryTracking=summary
    // -XX:+UnlockDiagnosticVMOptions -XX:+PrintNMTStatistics" (the summary ends the child's log).
    String extra = System.getenv().getOrDefault("BENCH_CHILD_OPTS", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.semisup.worker.cli.Semisup", "stage",
        step, "--shard", "0"));
    Path log = Files.createTempFile("pool-scale-" + step, ".log");
    System.out.println("child log: " + log);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put(WorkerContract.ENV_SPEC, Manifests.toJson(spec));
    builder.environment().put(WorkerContract.ENV_STORE_PREFIX, prefix);
    builder.environment().put(WorkerContract.ENV_ACCESS_KEY, s3.accessKey());
    builder.environment().put(WorkerContract.ENV_SECRET_KEY, s3.secretKey());
    builder.environment().put("OMP_NUM_THREADS", "1");
    builder.environment().put("OPT_OUT_TRACKING", "true");
    long started = System.nanoTime();
    Process process = builder.start();
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    long peak = 0;
    boolean tracked = extra.contains("NativeMemoryTracking");
    long nextSnapshot = System.nanoTime();
    while (process.isAlive()) {
      try {
        List<String> lines = Files.readAllLines(status);
        for (String line : lines) {
          if (line.startsWith("VmHWM:")) {
            peak = Math.max(peak, Long.parseLong(line.replaceAll("\\D", "")));
          }
        }
        if (tracked && System.nanoTime() >= nextSnapshot) {
          // The last snapshot before the child ends: the JVM's own memory by category, beside the
          // kernel's anonymous / file-backed split of the same moment.
          nextSnapshot = System.nanoTime() + Duration.ofSeconds(15).toNanos();
          snapshotNativeMemory(process.pid(), lines, Path.of(log + ".nmt"));
        }
      } catch (IOException gone) {
        // the process ended between the check and the read
      }
      Thread.sleep(50);
    }
    return new long[] {peak, (System.nanoTime() - started) / 1_000_000, process.waitFor()};
  }

  private static void snapshotNativeMemory(long pid, List<String> status, Path into) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Path snapshot = Files.createTempFile("nmt", ".txt");
    Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary")
        .redirectErrorStream(true).redirectOutput(snapshot.toFile()).start();
    process.waitFor();
    List<String> text = new ArrayList<>(status.stream()
        .filter(line -> line.startsWith("VmRSS") || line.startsWith("Rss") || line.startsWith("VmHWM")).toList());
    text.addAll(Files.readAllLines(snapshot));
    Files.write(into, text);
    Files.delete(snapshot);
  }

  /** N images of noise with a class band, as .png + .cls samples spread evenly over M tars. */
  private static long writePool(S3TestServer s3, int images, int files) throws Exception {
    Random random = new Random(11);
    long total = 0;
    int image = 0;
    for (int file = 0; file < files; file++) {
      int count = images / files + (file < images % files ? 1 : 0);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
        for (int i = 0; i < count; i++, image++) {
          int label = random.nextInt(CLASSES);
          String key = String.format("%09d", image);
          PackedTars.member(tar, key + ".png", png(label, random));
          PackedTars.member(tar, key + ".cls", Integer.toString(label).getBytes());
        }
      }
      byte[] data = bytes.toByteArray();
      s3.client().putObject(PutObjectArgs.builder().bucket("pool").object(String.format("images/part-%05d.tar", file))
          .stream(new ByteArrayInputStream(data), data.length, -1).build());
      total += data.length;
    }
    return total;
  }

  private static void writeTeacher(S3TestServer s3) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Network network = Network.create("cnn-small", new ModelShape(1, SIDE, CLASSES), Regularization.NONE, 3)) {
      network.saveParameters(bytes);
    }
    byte[] data = bytes.toByteArray();
    s3.client().putObject(PutObjectArgs.builder().bucket("pool").object("teacher.params")
        .stream(new ByteArrayInputStream(data), data.length, -1).build());
  }

  /**
   * The side the pool's images are stored at: the model's input by default, so pack copies them;
   * BENCH_POOL_SIDE above packShortSide makes pack shrink and re-encode every sampled image.
   */
  private static int storedSide() {
    return Integer.parseInt(System.getenv().getOrDefault("BENCH_POOL_SIDE", Integer.toString(SIDE)));
  }

  private static byte[] png(int label, Random random) throws IOException {
    int side = storedSide();
    BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
    byte[] pixels = new byte[side * side];
    for (int p = 0; p < pixels.length; p++) {
      boolean band = (p / side) * SIDE / side == label + 3;
      pixels[p] = (byte) Math.min(255, random.nextInt(60) + (band ? 180 : 0));
    }
    image.getRaster().setDataElements(0, 0, side, side, pixels);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

}
