package dev.semisup.worker.store;

import dev.semisup.api.WorkerContract;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The worker's one retry layer for the object store: a call that fails for a reason that passes
 * (connection refused or reset, a timeout, HTTP 5xx, SlowDown) is repeated after an exponentially
 * growing, jittered wait, until it succeeds or the time budget is spent; any other failure (no
 * such key, access denied, a bad bucket name) is thrown at once. A store that restarts or is cut
 * off for a minute thus costs a pause, not a failed step and a pod retry.
 *
 * <p>The budget is {@value WorkerContract#ENV_STORE_RETRY_SECONDS} seconds (default
 * {@link #DEFAULT_BUDGET}); 0 turns retries off. Full jitter (a wait drawn between half and all
 * of the current step) keeps the pods of a sharded step from hammering a recovering store in step.
 */
public final class StoreRetry {

  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(120);
  static final Duration FIRST_WAIT = Duration.ofMillis(200);
  static final Duration MAX_WAIT = Duration.ofSeconds(10);
  /** S3 error codes that say "later", not "no". */
  private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "InternalError", "ServiceUnavailable",
      "RequestTimeout", "RequestTimeTooSkewed", "OperationAborted", "XMinioServerNotInitialized");

  private final Duration budget;

  public StoreRetry(Duration budget) {
    if (budget.isNegative()) {
      throw new IllegalArgumentException("a retry budget cannot be negative: " + budget);
    }
    this.budget = budget;
  }

  /** No retries: the first failure is the answer. */
  public static StoreRetry none() {
    return new StoreRetry(Duration.ZERO);
  }

  /** From {@value WorkerContract#ENV_STORE_RETRY_SECONDS}; a value that is not a number is the user's error. */
  public static StoreRetry fromEnv(Map<String, String> env) {
    String value = env.get(WorkerContract.ENV_STORE_RETRY_SECONDS);
    if (value == null || value.isBlank()) {
      return new StoreRetry(DEFAULT_BUDGET);
    }
    try {
      long seconds = Long.parseLong(value.trim());
      if (seconds < 0) {
        throw new NumberFormatException();
      }
      return new StoreRetry(Duration.ofSeconds(seconds));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(WorkerContract.ENV_STORE_RETRY_SECONDS
          + " must be a whole number of seconds >= 0, was '" + value + "'");
    }
  }

  public Duration budget() {
    return budget;
  }

  /** One store operation, as the MinIO SDK throws them. */
  @FunctionalInterface
  public interface Call<T> {
    T call() throws Exception;
  }

  /**
   * Runs the call, repeating it while it fails transiently and the budget lasts.
   *
   * @throws Exception the last failure: a lasting one at once, a transient one when time is up
   */
  public <T> T call(Call<T> call) throws Exception {
    long deadline = System.nanoTime() + budget.toNanos();
    long step = FIRST_WAIT.toMillis();
    int attempt = 1;
    while (true) {
      try {
        return call.call();
      } catch (Exception e) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (!isTransient(e) || left <= 0) {
          if (attempt > 1) {
            e.addSuppressed(new IOException("gave up after " + attempt + " attempts in " + budget.toSeconds() + "s"));
          }
          throw e;
        }
        long wait = Math.min(left, ThreadLocalRandom.current().nextLong(step / 2, step + 1));
        Thread.sleep(wait);
        step = Math.min(step * 2, MAX_WAIT.toMillis());
        attempt++;
      }
    }
  }

  /** Whether a failure may pass by itself: the store away or overloaded, not a wrong request. */
  public static boolean isTransient(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof ErrorResponseException error) {
        int status = error.response() == null ? 0 : error.response().code();
        return status >= 500 || TRANSIENT_CODES.contains(error.errorResponse().code());
      }
      if (e instanceof ServerException server) {
        return server.statusCode() >= 500;
      }
      if (e instanceof InvalidResponseException) {
        return true; // a non-S3 answer, e.g. a load balancer's 502 page while the store restarts
      }
      if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof SocketTimeoutException
          || e instanceof EOFException) {
        return true;
      }
      if (e instanceof SocketException) {
        return true; // connection reset, broken pipe
      }
      if (e instanceof InterruptedIOException) {
        return false; // an interrupt is an answer
      }
      if (e instanceof IOException io && io.getMessage() != null
          && (io.getMessage().contains("unexpected end of stream") || io.getMessage().contains("Connection reset"))) {
        return true;
      }
    }
    return false;
  }
}
