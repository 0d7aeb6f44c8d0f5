package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StoreRetryTest {

  @Test
  void transientFailuresAreRetriedUntilTheCallSucceeds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    String result = new StoreRetry(Duration.ofSeconds(10)).call(() -> {
      if (calls.incrementAndGet() < 3) {
        throw new IOException("failed to connect", new ConnectException("Connection refused"));
      }
      return "done";
    });
    assertThat(result).isEqualTo("done");
    assertThat(calls).hasValue(3);
  }

  @Test
  void aLastingFailureIsThrownAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> new StoreRetry(Duration.ofSeconds(10)).call(() -> {
      calls.incrementAndGet();
      throw new FileNotFoundException("s3://b/k does not exist");
    })).isInstanceOf(FileNotFoundException.class);
    assertThat(calls).hasValue(1);
  }

  @Test
  void theBudgetBoundsTheTimeSpentRetrying() {
    AtomicInteger calls = new AtomicInteger();
    long start = System.nanoTime();
    assertThatThrownBy(() -> new StoreRetry(Duration.ofSeconds(1)).call(() -> {
      calls.incrementAndGet();
      throw new SocketException("Connection reset");
    })).isInstanceOf(SocketException.class)
        .satisfies(e -> assertThat(e.getSuppressed()[0]).hasMessageContaining("gave up after"));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    assertThat(calls.get()).isGreaterThan(1);
  }

  @Test
  void noBudgetMeansOneAttempt() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> StoreRetry.none().call(() -> {
      calls.incrementAndGet();
      throw new SocketTimeoutException("timeout");
    })).isInstanceOf(SocketTimeoutException.class);
    assertThat(calls).hasValue(1);
  }

  @Test
  void theBudgetComesFromTheEnvironment() {
    assertThat(StoreRetry.fromEnv(Map.of()).budget()).isEqualTo(StoreRetry.DEFAULT_BUDGET);
    assertThat(StoreRetry.fromEnv(Map.of("SEMISUP_STORE_RETRY_SECONDS", "30")).budget()).isEqualTo(Duration.ofSeconds(30));
    assertThat(StoreRetry.fromEnv(Map.of("SEMISUP_STORE_RETRY_SECONDS", "0")).budget()).isZero();
    assertThatThrownBy(() -> StoreRetry.fromEnv(Map.of("SEMISUP_STORE_RETRY_SECONDS", "soon")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SEMISUP_STORE_RETRY_SECONDS", "soon");
  }

  @Test
  void failuresAreSortedIntoPassingAndLasting() {
    assertThat(StoreRetry.isTransient(new IOException("x", new SocketException("Broken pipe")))).isTrue();
    assertThat(StoreRetry.isTransient(new io.minio.errors.ServerException("bad gateway", 502, "trace"))).isTrue();
    assertThat(StoreRetry.isTransient(new io.minio.errors.ServerException("not implemented?", 400, "t"))).isFalse();
    assertThat(StoreRetry.isTransient(new java.io.InterruptedIOException("interrupted"))).isFalse();
    assertThat(StoreRetry.isTransient(new IllegalArgumentException("bucket name"))).isFalse();
  }
}
