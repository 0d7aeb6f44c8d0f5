package dev.semisup.worker.store;

import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import java.io.IOException;
import java.time.Duration;

/**
 * An S3 endpoint and the client that talks to it. The address travels with the client because
 * MinIO's client does not tell it back, and every error about the store should name it.
 */
public final class S3Endpoint implements AutoCloseable {

  /** Short enough that a wrong endpoint fails a pod fast; a refused port fails at once anyway. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Long enough for one part of a large upload on a slow link. */
  static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(5);

  private final String url;
  private final MinioClient client;
  private final MinioAsyncClient parts;
  private final StoreRetry retry;

  private S3Endpoint(String url, MinioClient client, MinioAsyncClient parts, StoreRetry retry) {
    this.url = url;
    this.client = client;
    this.parts = parts;
    this.retry = retry;
  }

  /**
   * A client for {@code url} (http(s)://host[:port]) with path-style requests, which MinIO and
   * S3Proxy need, that does not retry (tests and tools that want the first answer). The
   * credentials go to the client only: never into messages or logs.
   */
  public static S3Endpoint connect(String url, String region, String accessKey, String secretKey) {
    return connect(url, region, accessKey, secretKey, StoreRetry.none());
  }

  /** The same, with calls that fail transiently retried within {@code retry}'s budget. */
  public static S3Endpoint connect(String url, String region, String accessKey, String secretKey,
      StoreRetry retry) {
    MinioClient client = MinioClient.builder()
        .endpoint(url)
        .region(region)
        .credentials(accessKey, secretKey)
        .build();
    client.setTimeout(
        CONNECT_TIMEOUT.toMillis(), TRANSFER_TIMEOUT.toMillis(), TRANSFER_TIMEOUT.toMillis());
    MinioAsyncClient parts = MinioAsyncClient.builder()
        .endpoint(url)
        .region(region)
        .credentials(accessKey, secretKey)
        .build();
    parts.setTimeout(
        CONNECT_TIMEOUT.toMillis(), TRANSFER_TIMEOUT.toMillis(), TRANSFER_TIMEOUT.toMillis());
    return new S3Endpoint(url, client, parts, retry);
  }

  public String url() {
    return url;
  }

  public MinioClient client() {
    return client;
  }

  /**
   * The same endpoint's multipart calls (create, upload part, complete, abort): MinIO exposes them
   * on its async client only. Large objects go up part by part through them, so that a part that
   * fails in an outage is sent again whole instead of failing the object.
   */
  public MinioAsyncClient parts() {
    return parts;
  }

  /** Every call to the store goes through this: the worker's one retry layer. */
  public StoreRetry retry() {
    return retry;
  }

  @Override
  public void close() throws IOException {
    try (MinioAsyncClient closedSecond = parts) {
      client.close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("could not close the client of object store " + url, e);
    }
  }

  @Override
  public String toString() {
    return url;
  }
}
