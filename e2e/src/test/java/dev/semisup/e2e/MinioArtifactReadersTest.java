package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.report.RunMarker;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.observer.ArtifactReader;
import dev.semisup.operator.observer.MinioArtifactReaders;
import dev.semisup.operator.observer.StorageUnreachableException;
import dev.semisup.operator.testing.MockCluster;
import dev.semisup.operator.testing.Runs;
import dev.semisup.worker.store.S3TestServer;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The operator's reader of progress, metrics and reports, against a real S3 server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MinioArtifactReadersTest {

  private S3TestServer s3;
  private MockCluster cluster;
  private MinioArtifactReaders readers;

  @BeforeAll
  void start() throws Exception {
    s3 = S3TestServer.start();
    cluster = new MockCluster();
    cluster.credentialsSecret(Runs.NAMESPACE, Runs.SECRET, s3.accessKey(), s3.secretKey());
    cluster.credentialsSecret(Runs.NAMESPACE, "wrong", s3.accessKey(), "not-the-secret-key");
    readers = new MinioArtifactReaders();
  }

  @AfterAll
  void stop() throws Exception {
    cluster.close();
    s3.close();
  }

  private SemiSupervisedRun run(String endpoint, String bucket, String secret) {
    SemiSupervisedRun run = Runs.run("reader");
    run.getSpec().getStorage().setEndpoint(endpoint);
    run.getSpec().getStorage().setBucket(bucket);
    run.getSpec().getStorage().setCredentialsSecret(secret);
    return run;
  }

  @Test
  void readsTheWorkersJsonAndSaysWhenAnObjectIsNotThereYet() throws Exception {
    put("runs/ml/reader/teacher/progress.json",
        "{\"step\":\"teacher\",\"shard\":0,\"shards\":1,\"epoch\":2,\"epochs\":5,\"done\":10,\"total\":20,"
            + "\"imagesPerSecond\":812.5,\"loss\":0.4,\"etaSeconds\":33,\"updatedAt\":\"2026-11-28T17:00:00Z\"}");
    put("runs/ml/reader/teacher/metrics.json",
        "{\"step\":\"teacher\",\"architecture\":\"cnn-small\",\"accuracy\":0.91,\"loss\":0.3,\"epochs\":5,"
            + "\"trainImages\":100,\"imagesPerSecond\":800,\"seconds\":12,\"somethingNew\":true}");
    ArtifactReader reader = open(run(s3.endpoint(), s3.bucket(), Runs.SECRET));

    assertThat(reader.progress("runs/ml/reader/teacher/progress.json")).get()
        .extracting(StageProgress::describe).isEqualTo("epoch 2/5 50%");
    assertThat(reader.metrics("runs/ml/reader/teacher/metrics.json")).get()
        .extracting(StageMetrics::accuracy).isEqualTo(0.91);
    assertThat(reader.report("runs/ml/reader/report.json")).isEmpty();
  }

  @Test
  void readsTheRunMarkerFindsSuccessAndDeletesOnlyUnderThePrefix() throws Exception {
    put("runs/ml/owned/run.json", "{\"namespace\":\"ml\",\"name\":\"owned\",\"uid\":\"uid-1\"}");
    put("runs/ml/owned/teacher/_SUCCESS", "{}");
    put("runs/ml/owned-2/teacher/_SUCCESS", "{}");
    ArtifactReader reader = open(run(s3.endpoint(), s3.bucket(), Runs.SECRET));

    assertThat(reader.marker("runs/ml/owned/run.json")).contains(new RunMarker("ml", "owned", "uid-1"));
    assertThat(reader.marker("runs/ml/nobody/run.json")).isEmpty();
    assertThat(reader.exists("runs/ml/owned/teacher/_SUCCESS")).isTrue();
    assertThat(reader.exists("runs/ml/owned/infer/_SUCCESS")).isFalse();

    assertThat(reader.deleteAll("runs/ml/owned/")).isEqualTo(2);
    assertThat(reader.exists("runs/ml/owned/teacher/_SUCCESS")).isFalse();
    assertThat(reader.exists("runs/ml/owned-2/teacher/_SUCCESS")).as("a neighbour with a longer name").isTrue();
  }

  @Test
  void aMissingSecretNamesTheSpecField() {
    assertThatThrownBy(() -> open(run(s3.endpoint(), s3.bucket(), "absent")))
        .isInstanceOfSatisfying(StorageUnreachableException.class, e -> {
          assertThat(e.reason()).isEqualTo("SecretNotFound");
          assertThat(e.getMessage()).contains("ml/absent", "spec.storage.credentialsSecret");
        });
  }

  @Test
  void rejectedCredentialsAMissingBucketAndADeadEndpointEachHaveTheirReason() throws Exception {
    assertReason(run(s3.endpoint(), s3.bucket(), "wrong"), "CredentialsRejected");
    assertReason(run(s3.endpoint(), "no-such-bucket", Runs.SECRET), "BucketNotFound");
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    assertReason(run("http://127.0.0.1:" + closedPort, s3.bucket(), Runs.SECRET), "ConnectionFailed");
  }

  private void assertReason(SemiSupervisedRun run, String reason) throws Exception {
    ArtifactReader reader = open(run);
    assertThatThrownBy(() -> reader.progress("runs/ml/reader/teacher/progress.json"))
        .isInstanceOfSatisfying(StorageUnreachableException.class, e -> {
          assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
          assertThat(e.getMessage()).doesNotContain(s3.secretKey(), "not-the-secret-key");
        });
  }

  /** The reader, with the run's Secret as the operator's informer would hold it. */
  private ArtifactReader open(SemiSupervisedRun run) throws StorageUnreachableException {
    return readers.readerFor(run, cluster.client().secrets().inNamespace(Runs.NAMESPACE)
        .withName(run.getSpec().getStorage().getCredentialsSecret()).get());
  }

  private void put(String key, String json) throws Exception {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    s3.client().putObject(PutObjectArgs.builder().bucket(s3.bucket()).object(key)
        .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
  }
}
