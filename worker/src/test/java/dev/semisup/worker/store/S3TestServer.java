package dev.semisup.worker.store;

import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A real S3 server for tests: S3Proxy in this JVM on 127.0.0.1 and a free port, objects kept in
 * memory, SigV4 with fixed test credentials, and one empty bucket. Start one per test class
 * (2-5 s); it serves MinIO's client like MinIO would, except composeObject.
 *
 * <pre>
 * try (S3TestServer s3 = S3TestServer.start()) {
 *   ObjectStore store = new S3ObjectStore(s3.endpointClient(), s3.bucket());
 * }
 * </pre>
 */
public final class S3TestServer implements AutoCloseable {

  public static final String ACCESS_KEY = "semisup-test-access";
  public static final String SECRET_KEY = "semisup-test-secret-0123456789";
  public static final String BUCKET = "semisup-test";
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final String endpoint;
  private final S3Endpoint client;
  private final String bucket;

  private S3TestServer(S3Proxy proxy, String endpoint, S3Endpoint client, String bucket) {
    this.proxy = proxy;
    this.endpoint = endpoint;
    this.client = client;
    this.bucket = bucket;
  }

  /** Starts the server and creates {@link #BUCKET}. */
  public static S3TestServer start() throws Exception {
    return start(BUCKET);
  }

  /** Starts the server and creates {@code bucket}. */
  public static S3TestServer start(String bucket) throws Exception {
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(new TransientNio2BlobStore())
        // Port 0: the OS picks a free one, so parallel builds never collide.
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    S3TestServer server = null;
    try {
      waitUntilStarted(proxy);
      String endpoint = "http://127.0.0.1:" + proxy.getPort();
      server = new S3TestServer(
          proxy, endpoint, S3Endpoint.connect(endpoint, REGION, ACCESS_KEY, SECRET_KEY), bucket);
      server.createBucket(bucket);
      return server;
    } catch (Exception | Error e) {
      if (server != null) {
        server.close();
      } else {
        proxy.stop();
      }
      throw e;
    }
  }

  public String endpoint() {
    return endpoint;
  }

  public String accessKey() {
    return ACCESS_KEY;
  }

  public String secretKey() {
    return SECRET_KEY;
  }

  public String region() {
    return REGION;
  }

  /** The bucket created at start. */
  public String bucket() {
    return bucket;
  }

  /** A MinIO client with the test credentials. */
  public MinioClient client() {
    return client.client();
  }

  /** Whether the key exists in the server's bucket; any answer but "no such key" is thrown. */
  public boolean exists(String key) throws Exception {
    try {
      client().statObject(StatObjectArgs.builder().bucket(bucket()).object(key).build());
      return true;
    } catch (ErrorResponseException e) {
      if ("NoSuchKey".equals(e.errorResponse().code())) {
        return false;
      }
      throw e;
    }
  }

  /** The same client with the server's address, as the store classes take it. */
  public S3Endpoint endpointClient() {
    return client;
  }

  /**
   * Multipart uploads begun and neither completed nor aborted: what a stream that was dropped
   * without aborting would leave behind on the server.
   */
  public int openMultipartUploads(String bucket) throws Exception {
    try (MinioAsyncClient async = MinioAsyncClient.builder()
        .endpoint(endpoint)
        .region(REGION)
        .credentials(ACCESS_KEY, SECRET_KEY)
        .build()) {
      return async.listMultipartUploadsAsync(
              bucket, null, null, null, null, null, null, null, null, null)
          .get().result().uploads().size();
    }
  }

  public void createBucket(String bucket) throws Exception {
    client.client().makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
  }

  @Override
  public void close() throws Exception {
    try {
      client.close();
    } finally {
      proxy.stop();
    }
  }

  private static void waitUntilStarted(S3Proxy proxy) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start in 30 s: " + proxy.getState());
      }
      Thread.sleep(10);
    }
  }
}
