package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Data in a bucket of its own, read through the same endpoint as the artifacts. */
class S3BlobsTest {

  private static S3TestServer s3;
  private static S3Blobs blobs;

  @BeforeAll
  static void startServerWithData() throws Exception {
    s3 = S3TestServer.start();
    s3.createBucket("datasets");
    S3ObjectStore data = new S3ObjectStore(s3.endpointClient(), "datasets");
    data.putString("fashion/train/shard-10.tar", "ten");
    data.putString("fashion/train/shard-2.tar", "two!");
    data.putString("fashion/train/extra/shard-1.tar", "one");
    data.putString("fashion/trainer.txt", "not under train/");
    blobs = new S3Blobs(s3.endpointClient());
  }

  @AfterAll
  static void stopServer() throws Exception {
    s3.close();
  }

  @Test
  void listGivesEveryObjectUnderTheFolderSorted() throws IOException {
    assertThat(blobs.list("s3://datasets/fashion/train/")).containsExactly(
        "s3://datasets/fashion/train/extra/shard-1.tar",
        "s3://datasets/fashion/train/shard-10.tar",
        "s3://datasets/fashion/train/shard-2.tar");
    assertThat(blobs.list("s3://datasets/")).hasSize(4);
  }

  @Test
  void openAndSizeReadTheObject() throws IOException {
    try (InputStream in = blobs.open("s3://datasets/fashion/train/shard-2.tar")) {
      assertThat(in.readAllBytes()).asString().isEqualTo("two!");
    }
    assertThat(blobs.size("s3://datasets/fashion/train/shard-2.tar")).isEqualTo(4);
  }

  @Test
  void missingObjectFolderOrBucketIsNamed() {
    assertThatThrownBy(() -> blobs.open("s3://datasets/fashion/test.idx"))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("s3://datasets/fashion/test.idx");
    assertThatThrownBy(() -> blobs.size("s3://datasets/fashion/test.idx"))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("s3://datasets/fashion/test.idx");
    assertThatThrownBy(() -> blobs.list("s3://datasets/mnist/"))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("s3://datasets/mnist/");
    assertThatThrownBy(() -> blobs.open("s3://no-such-data/train.idx"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no-such-data")
        .hasMessageContaining(s3.endpoint());
  }

  @Test
  void malformedUrisAreRefused() {
    assertThatThrownBy(() -> blobs.open("s3:///key"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s3:///key");
    assertThatThrownBy(() -> blobs.open("s3://datasets/fashion/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ends with '/'");
    assertThatThrownBy(() -> blobs.list("s3://datasets/fashion"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must end with '/'");
  }
}
