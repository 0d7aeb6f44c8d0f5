package dev.semisup.bench;

import dev.semisup.worker.data.formats.TarMembers;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.FileSequence;
import dev.semisup.worker.store.ReadAheadSettings;
import dev.semisup.worker.store.S3Blobs;
import dev.semisup.worker.store.S3Endpoint;
import dev.semisup.worker.store.S3TestServer;
import dev.semisup.worker.store.StoreRetry;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A shard's tar files read from a real S3 server (S3Proxy in this JVM) through a proxy that caps
 * each TCP connection at a fixed rate, a stand-in for one object-store connection: one stream per
 * file, then ranges read ahead ({@link FileSequence}, as infer's pass reads them), every member's
 * bytes taken by {@link TarMembers}. Prints MB/s reached per read-ahead and range size, rounds
 * interleaved so that a loaded machine slows all settings alike.
 *
 * <p>Usage: {@code ReadAheadBench FILES FILE_MIB CAP_MB_PER_S ROUNDS} (bench/read-ahead.sh).
 */
public final class ReadAheadBench {

  private static final int MEMBER_BYTES = 110_000;
  private static final int[] READ_AHEAD = {1, 2, 4, 8};
  private static final int RANGE_MIB = ReadAheadSettings.DEFAULT_RANGE_MIB;

  private ReadAheadBench() {
  }

  public static void main(String[] args) throws Exception {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int fileMib = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    double capMbPerSecond = args.length > 2 ? Double.parseDouble(args[2]) : 20;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    try (S3TestServer s3 = S3TestServer.start("runs")) {
      s3.createBucket("pool");
      List<Blobs.Sized> pool = writePool(s3, files, fileMib << 20);
      long bytes = pool.stream().mapToLong(Blobs.Sized::bytes).sum();
      System.out.printf("pool: %d tar files, %,d bytes, members of %,d bytes; each connection capped at %.0f MB/s%n",
          files, bytes, MEMBER_BYTES, capMbPerSecond);
      System.out.println("load average before: " + loadAverage());
      try (ThrottlingProxy proxy = new ThrottlingProxy(port(s3.endpoint()), capMbPerSecond * 1e6);
           S3Endpoint endpoint = S3Endpoint.connect(proxy.endpoint(), S3TestServer.REGION, S3TestServer.ACCESS_KEY,
               S3TestServer.SECRET_KEY, new StoreRetry(StoreRetry.DEFAULT_BUDGET))) {
        TimedBlobs blobs = new TimedBlobs(new S3Blobs(endpoint));
        pass(blobs, pool, new ReadAheadSettings(2, RANGE_MIB << 20)); // warm-up: JIT, connections
        double[][] rates = new double[READ_AHEAD.length][rounds];
        double[][] inFlight = new double[READ_AHEAD.length][rounds];
        double[][] perGet = new double[READ_AHEAD.length][rounds];
        for (int round = 0; round < rounds; round++) {
          for (int i = 0; i < READ_AHEAD.length; i++) {
            int opened = proxy.connections.get();
            blobs.reset();
            double seconds = pass(blobs, pool, new ReadAheadSettings(READ_AHEAD[i], RANGE_MIB << 20));
            rates[i][round] = bytes / seconds / 1e6;
            inFlight[i][round] = blobs.openNanos.get() / 1e9 / seconds;
            perGet[i][round] = blobs.bytes.get() / (blobs.openNanos.get() / 1e9) / 1e6;
            System.out.printf("round %d, read-ahead %d: %.2f s, %.1f MB/s, %d GETs, %.2f open on average, %.1f MB/s each,"
                + " %d new connections%n", round + 1, READ_AHEAD[i], seconds, rates[i][round], blobs.gets.get(),
                inFlight[i][round], perGet[i][round], proxy.connections.get() - opened);
          }
        }
        System.out.println();
        System.out.printf("| read-ahead (ranges of at most %d MiB) | MB/s, median of %d | min-max | x one stream | x the cap of one connection | GETs open on average | MB/s per open GET |%n",
            RANGE_MIB, rounds);
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        double one = median(rates[0]);
        for (int i = 0; i < READ_AHEAD.length; i++) {
          double median = median(rates[i]);
          System.out.printf("| %d%s | %.1f | %.1f-%.1f | %.2f | %.2f | %.2f | %.1f |%n", READ_AHEAD[i],
              READ_AHEAD[i] == 1 ? " (one stream per file)" : "", median,
              java.util.Arrays.stream(rates[i]).min().orElse(0), java.util.Arrays.stream(rates[i]).max().orElse(0),
              median / one, median / capMbPerSecond, median(inFlight[i]), median(perGet[i]));
        }
      }
      System.out.println("load average after: " + loadAverage());
    }
  }

  /** Seconds to read every member of every file, as a shard's pass reads them. */
  private static double pass(Blobs blobs, List<Blobs.Sized> pool, ReadAheadSettings reading) throws IOException {
    long started = System.nanoTime();
    long read = 0;
    try (FileSequence sequence = FileSequence.of(blobs, pool, reading)) {
      for (Blobs.Sized file : pool) {
        try (TarMembers members = new TarMembers(file.uri(), sequence.nextFile())) {
          for (TarArchiveEntry entry = members.next(); entry != null; entry = members.next()) {
            read += members.read(entry).length;
          }
        }
      }
    }
    if (read == 0) {
      throw new IllegalStateException("no member bytes read");
    }
    return (System.nanoTime() - started) / 1e9;
  }

  private static List<Blobs.Sized> writePool(S3TestServer s3, int files, int fileBytes) throws Exception {
    Random random = new Random(3);
    byte[] member = new byte[MEMBER_BYTES];
    List<Blobs.Sized> pool = new ArrayList<>();
    for (int file = 0; file < files; file++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(fileBytes + (1 << 20));
      try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        for (int sample = 0; out.size() < fileBytes; sample++) {
          random.nextBytes(member);
          TarArchiveEntry entry = new TarArchiveEntry(String.format("%08d.jpg", sample));
          entry.setSize(member.length);
          tar.putArchiveEntry(entry);
          tar.write(member);
          tar.closeArchiveEntry();
        }
      }
      byte[] tar = out.toByteArray();
      String key = String.format("shards/shard-%05d.tar", file);
      s3.client().putObject(PutObjectArgs.builder().bucket("pool").object(key)
          .stream(new ByteArrayInputStream(tar), tar.length, -1).build());
      pool.add(new Blobs.Sized("s3://pool/" + key, tar.length));
    }
    return pool;
  }

  private static int port(String endpoint) {
    return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Times every GET from its open to its close: how many were open at once, and at what rate each moved. */
  private static final class TimedBlobs implements Blobs {
    private final Blobs blobs;
    final java.util.concurrent.atomic.AtomicLong openNanos = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
    final AtomicInteger gets = new AtomicInteger();

    TimedBlobs(Blobs blobs) {
      this.blobs = blobs;
    }

    void reset() {
      openNanos.set(0);
      bytes.set(0);
      gets.set(0);
    }

    @Override
    public InputStream open(String uri) throws IOException {
      long opened = System.nanoTime();
      return timed(blobs.open(uri), opened);
    }

    @Override
    public InputStream openRange(String uri, long offset, long length) throws IOException {
      long opened = System.nanoTime();
      return timed(blobs.openRange(uri, offset, length), opened);
    }

    private InputStream timed(InputStream in, long opened) {
      gets.incrementAndGet();
      return new java.io.FilterInputStream(in) {
        private boolean closed;

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
          int n = super.read(into, offset, length);
          if (n > 0) {
            bytes.addAndGet(n);
          }
          return n;
        }

        @Override
        public void close() throws IOException {
          if (!closed) {
            closed = true;
            openNanos.addAndGet(System.nanoTime() - opened);
          }
          super.close();
        }
      };
    }

    @Override
    public List<String> list(String folderUri) throws IOException {
      return blobs.list(folderUri);
    }

    @Override
    public long size(String uri) throws IOException {
      return blobs.size(uri);
    }

    @Override
    public boolean remote(String uri) {
      return blobs.remote(uri);
    }
  }

  /**
   * A TCP forwarder that sends the server's answers to each client connection at no more than
   * {@code bytesPerSecond}, as one connection to a remote object store carries a bounded rate
   * whatever the link; requests pass unthrottled.
   */
  private static final class ThrottlingProxy implements AutoCloseable {
    private static final int CHUNK = 16 << 10;
    /** Credit a connection may save: enough to absorb the sleeps' lateness, too little to matter. */
    private static final long BURST_NANOS = 10_000_000;
    private final ServerSocket server;
    private final int targetPort;
    private final double bytesPerSecond;
    final AtomicInteger connections = new AtomicInteger();

    ThrottlingProxy(int targetPort, double bytesPerSecond) throws IOException {
      this.targetPort = targetPort;
      this.bytesPerSecond = bytesPerSecond;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::accept, "throttling-proxy");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String endpoint() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Socket target = new Socket();
          target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
          connections.incrementAndGet();
          pump(client, target, Double.POSITIVE_INFINITY);
          pump(target, client, bytesPerSecond);
        } catch (IOException e) {
          // closed
        }
      }
    }

    private static void pump(Socket from, Socket to, double rate) {
      Thread thread = new Thread(() -> {
        byte[] buffer = new byte[CHUNK];
        long dueNanos = System.nanoTime();
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          int n;
          while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            out.flush();
            // Each chunk takes its time at the rate: a token bucket of 10 ms, so a late wake-up is
            // made up for while an idle connection, reused, bursts no faster than a new one.
            dueNanos = Math.max(dueNanos, System.nanoTime() - BURST_NANOS) + (long) (n / rate * 1e9);
            long wait = dueNanos - System.nanoTime();
            if (wait > 0) {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
          }
        } catch (IOException e) {
          // one side closed
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          close(from);
          close(to);
        }
      }, "throttling-proxy-pump");
      thread.setDaemon(true);
      thread.start();
    }

    private static void close(Socket socket) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
