package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.StatObjectArgs;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class S3ObjectStoreTest extends ObjectStoreContract {

  /** The S3 minimum, so that the 12 MB stream of the contract goes up in three parts. */
  private static final long SMALL_PARTS = 5L * 1024 * 1024;
  private static final AtomicInteger buckets = new AtomicInteger();

  private static S3TestServer s3;
  private S3ObjectStore store;

  @BeforeAll
  static void startServer() throws Exception {
    s3 = S3TestServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    s3.close();
  }

  @BeforeEach
  void newBucket() throws Exception {
    String bucket = "contract-" + buckets.incrementAndGet();
    s3.createBucket(bucket);
    store = new S3ObjectStore(s3.endpointClient(), bucket, SMALL_PARTS);
  }

  @Override
  ObjectStore store() {
    return store;
  }

  @Test
  void streamLargerThanAPartGoesUpInParts() throws Exception {
    store.write("teacher/model.params", out -> out.write(randomBytes(11 * 1024 * 1024)));

    // A multipart ETag ends in -<parts>: 11 MB in 5 MiB parts is three.
    assertThat(s3.client().statObject(StatObjectArgs.builder()
            .bucket(store.bucket()).object("teacher/model.params").build()).etag())
        .endsWith("-3");
  }

  @Test
  void discardAbortsAMultipartUploadUnderWay() throws Exception {
    PendingObject out = store.create("teacher/model.params");
    out.write(randomBytes(11 * 1024 * 1024));
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (s3.openMultipartUploads(store.bucket()) == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(s3.openMultipartUploads(store.bucket())).as("upload under way").isEqualTo(1);

    out.discard();

    assertThat(s3.openMultipartUploads(store.bucket())).isZero();
    assertThat(store.list("")).isEmpty();
  }

  @Test
  void uriNamesBucketAndKey() {
    assertThat(store.uri("runs/r1/report.json"))
        .isEqualTo("s3://" + store.bucket() + "/runs/r1/report.json");
  }

  @Test
  void missingKeyMessageNamesTheS3Uri() {
    assertThatThrownBy(() -> store.open("runs/r1/report.json"))
        .hasMessageContaining("s3://" + store.bucket() + "/runs/r1/report.json");
  }

  @Test
  void missingBucketIsNamedWithTheEndpoint() {
    S3ObjectStore noBucket = new S3ObjectStore(s3.endpointClient(), "no-such-bucket");

    assertThatThrownBy(noBucket::checkReachable)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(s3.endpoint())
        .hasMessageContaining("no-such-bucket");
    assertThatThrownBy(() -> noBucket.putString("a/b", "x"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no-such-bucket");
  }

  @Test
  void streamToAMissingBucketFailsOnClose() throws IOException {
    S3ObjectStore noBucket = new S3ObjectStore(s3.endpointClient(), "no-such-bucket");
    var out = noBucket.create("teacher/model.params");
    out.write(new byte[1000]);

    assertThatThrownBy(out::close)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no-such-bucket");
  }

  @Test
  void wrongCredentialsAreReportedWithoutTheSecret() throws IOException {
    try (S3Endpoint wrong = S3Endpoint.connect(
        s3.endpoint(), s3.region(), s3.accessKey(), "wrong-secret-do-not-print")) {
      S3ObjectStore denied = new S3ObjectStore(wrong, s3.bucket());

      assertThatThrownBy(() -> denied.putString("a", "x"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("AWS_SECRET_ACCESS_KEY")
          .hasMessageContaining("s3://" + s3.bucket() + "/a")
          .hasMessageNotContaining("wrong-secret-do-not-print");
    }
  }
}
