package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real S3 server behind a proxy that the tests cut: every connection refused or reset, for a
 * few seconds or a whole minute, while the worker's store writes and reads. With the retry budget, the calls finish
 * as if nothing happened; without it they fail at once.
 */
class S3OutageTest {

  private static S3TestServer s3;
  private static CuttableTcpProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3TestServer.start();
    proxy = new CuttableTcpProxy(Integer.parseInt(s3.endpoint().substring(s3.endpoint().lastIndexOf(':') + 1)));
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    s3.close();
  }

  private static S3Endpoint throughProxy(Duration budget) {
    return S3Endpoint.connect(proxy.endpoint(), S3TestServer.REGION, S3TestServer.ACCESS_KEY,
        S3TestServer.SECRET_KEY, new StoreRetry(budget));
  }

  /** The store comes back after {@code outage}, on another thread. */
  private static CompletableFuture<Void> restoreAfter(Duration outage) {
    return CompletableFuture.runAsync(() -> proxy.down(false),
        CompletableFuture.delayedExecutor(outage.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Test
  @Timeout(60)
  void writesAndReadsDuringAnOutageCompleteWhenTheStoreIsBack() throws Exception {
    try (S3Endpoint endpoint = throughProxy(Duration.ofSeconds(30))) {
      ObjectStore store = new S3ObjectStore(endpoint, s3.bucket());
      proxy.down(true);
      CompletableFuture<Void> back = restoreAfter(Duration.ofSeconds(3));
      long start = System.nanoTime();

      store.putString("outage/teacher/metrics.json", "{\"accuracy\":0.9}");
      store.write("outage/teacher/model.params", out -> out.write(new byte[300_000]));

      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the writes waited for the store")
          .isGreaterThan(Duration.ofSeconds(2));
      back.join();
      proxy.down(true);
      restoreAfter(Duration.ofSeconds(2));
      assertThat(store.getString("outage/teacher/metrics.json")).isEqualTo("{\"accuracy\":0.9}");
      assertThat(store.exists("outage/teacher/model.params")).isTrue();
      assertThat(store.list("outage/teacher/")).containsExactly("outage/teacher/metrics.json",
          "outage/teacher/model.params");
    }
  }

  /**
   * The outage the issue names: the endpoint down for a whole minute while a worker streams an
   * object of several parts. With the default budget (120 s) the parts sent before the outage are
   * kept, the one under way is sent again whole, and the object completes with every byte.
   */
  @Test
  @Timeout(180)
  void aMultipartWriteWaitsOutAMinuteLongOutage() throws Exception {
    byte[] content = new byte[23 << 20];
    new Random(11).nextBytes(content);
    try (S3Endpoint endpoint = throughProxy(StoreRetry.DEFAULT_BUDGET)) {
      S3ObjectStore store = new S3ObjectStore(endpoint, s3.bucket(), 5L << 20);
      long start = System.nanoTime();
      try (PendingObject out = store.create("outage/packed/shard-00000-of-00001.tar")) {
        out.write(content, 0, 11 << 20); // two parts sent, the third filling
        proxy.down(true);
        restoreAfter(Duration.ofSeconds(60));
        out.write(content, 11 << 20, content.length - (11 << 20));
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the write waited the outage out")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(60));
      assertThat(store.exists("outage/packed/shard-00000-of-00001.tar")).isTrue();
      try (InputStream in = store.open("outage/packed/shard-00000-of-00001.tar")) {
        assertThat(in.readAllBytes()).isEqualTo(content);
      }
      assertThat(s3.openMultipartUploads(s3.bucket())).as("no upload left open").isZero();
    }
  }

  @Test
  @Timeout(60)
  void aReadCutMidStreamResumesFromTheByteItHad() throws Exception {
    byte[] content = new byte[24 << 20];
    new Random(7).nextBytes(content);
    try (S3Endpoint direct = S3Endpoint.connect(s3.endpoint(), S3TestServer.REGION, S3TestServer.ACCESS_KEY,
        S3TestServer.SECRET_KEY)) {
      new S3ObjectStore(direct, s3.bucket()).put("outage/candidates/shard-00000-of-00001.bin", content);
    }
    try (S3Endpoint endpoint = throughProxy(Duration.ofSeconds(30))) {
      ObjectStore store = new S3ObjectStore(endpoint, s3.bucket());
      byte[] read = new byte[content.length];
      try (InputStream in = store.open("outage/candidates/shard-00000-of-00001.bin")) {
        int got = in.readNBytes(read, 0, 1 << 20);
        assertThat(got).isEqualTo(1 << 20);
        proxy.down(true); // the open connection is cut mid-object
        restoreAfter(Duration.ofSeconds(2));
        int rest = in.readNBytes(read, got, content.length - got);
        assertThat(got + rest).isEqualTo(content.length);
      }
      assertThat(read).isEqualTo(content);
    }
  }

  @Test
  @Timeout(60)
  void aRangedReadCutMidStreamResumesWithinItsRangeAndCountsItOnce() throws Exception {
    byte[] content = new byte[24 << 20];
    new Random(8).nextBytes(content);
    try (S3Endpoint direct = S3Endpoint.connect(s3.endpoint(), S3TestServer.REGION, S3TestServer.ACCESS_KEY,
        S3TestServer.SECRET_KEY)) {
      new S3ObjectStore(direct, s3.bucket()).put("outage/candidates/shard-00000-of-00002.bin", content);
    }
    int offset = 3 << 20;
    int length = 8 << 20;
    try (S3Endpoint endpoint = throughProxy(Duration.ofSeconds(30))) {
      ObjectStore store = new S3ObjectStore(endpoint, s3.bucket());
      byte[] read;
      try (InputStream in = store.openRange("outage/candidates/shard-00000-of-00002.bin", offset, length)) {
        byte[] first = in.readNBytes(1 << 20);
        proxy.down(true); // the open connection is cut mid-range
        restoreAfter(Duration.ofSeconds(2));
        byte[] rest = in.readAllBytes();
        read = new byte[first.length + rest.length];
        System.arraycopy(first, 0, read, 0, first.length);
        System.arraycopy(rest, 0, read, first.length, rest.length);
      }
      assertThat(read).isEqualTo(java.util.Arrays.copyOfRange(content, offset, offset + length));
      assertThat(store.bytesRead()).as("each byte of the range counted once").isEqualTo(length);
    }
  }

  @Test
  @Timeout(30)
  void withoutARetryBudgetAnOutageFailsAtOnce() throws Exception {
    try (S3Endpoint endpoint = throughProxy(Duration.ZERO)) {
      ObjectStore store = new S3ObjectStore(endpoint, s3.bucket());
      proxy.down(true);
      try {
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.putString("outage/none.json", "{}")).isInstanceOf(IOException.class)
            .hasMessageContaining(proxy.endpoint());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      } finally {
        proxy.down(false);
      }
    }
  }
}
