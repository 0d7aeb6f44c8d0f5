package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.WorkerContract;
import dev.semisup.api.v1alpha1.StorageSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreConnectionTest {

  @TempDir
  Path temp;

  @Test
  void withoutEndpointTheStoreIsADirectoryNamedAfterTheBucket() throws IOException {
    StorageSpec storage = new StorageSpec();
    storage.setBucket("my-runs");

    try (StoreConnection connection = StoreConnection.open(storage, Map.of(), temp)) {
      assertThat(connection.isLocal()).isTrue();
      ObjectStore store = connection.artifactStore();
      store.putString("runs/default/demo/spec.json", "{}");

      assertThat(temp.resolve("my-runs/runs/default/demo/spec.json")).hasContent("{}");
      assertThat(store.uri("runs/default/demo/spec.json")).startsWith("file:///");
    }
  }

  @Test
  void missingStorageIsLocalModeWithTheDefaultBucket() throws IOException {
    try (StoreConnection connection = StoreConnection.open(null, Map.of(), temp)) {
      connection.artifactStore().putString("report.json", "{}");
    }
    assertThat(temp.resolve("semisup/report.json")).exists();
  }

  @Test
  void localModeReadsFilesAndRefusesS3DataNamingTheField() throws IOException {
    Path data = temp.resolve("train.idx");
    Files.writeString(data, "idx");

    try (StoreConnection connection = StoreConnection.open(new StorageSpec(), Map.of(), temp)) {
      Blobs blobs = connection.dataBlobs();
      assertThat(blobs.size(data.toUri().toString())).isEqualTo(3);
      assertThatThrownBy(() -> blobs.open("s3://datasets/train.idx"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("s3://datasets/train.idx")
          .hasMessageContaining("spec.storage.endpoint");
    }
  }

  @Test
  void localModeWithoutADirectoryIsRefused() {
    assertThatThrownBy(() -> StoreConnection.open(new StorageSpec(), Map.of(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.storage.endpoint")
        .hasMessageContaining("--store");
  }

  @Test
  void endpointWithoutCredentialsNamesBothVariables() {
    StorageSpec storage = new StorageSpec();
    storage.setEndpoint("http://minio.semisup:9000");
    storage.setCredentialsSecret("minio-credentials");

    for (Map<String, String> env : List.of(
        Map.<String, String>of(),
        Map.of(WorkerContract.ENV_ACCESS_KEY, "access"),
        Map.of(WorkerContract.ENV_SECRET_KEY, "top-secret-value"))) {
      assertThatThrownBy(() -> StoreConnection.open(storage, env, temp))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("AWS_ACCESS_KEY_ID")
          .hasMessageContaining("AWS_SECRET_ACCESS_KEY")
          .hasMessageContaining("minio-credentials")
          .hasMessageNotContaining("top-secret-value");
    }
  }

  @Test
  void badEndpointNamesTheField() {
    StorageSpec storage = new StorageSpec();
    storage.setEndpoint("minio semisup");

    assertThatThrownBy(() -> StoreConnection.open(storage, credentials("a", "b"), temp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.storage.endpoint")
        .hasMessageContaining("minio semisup");
  }

  @Test
  void endpointGivesS3ForArtifactsAndData() throws Exception {
    try (S3TestServer s3 = S3TestServer.start()) {
      s3.createBucket("datasets");
      StorageSpec storage = new StorageSpec();
      storage.setEndpoint(s3.endpoint());
      storage.setBucket(s3.bucket());

      try (StoreConnection connection = StoreConnection.open(
          storage, credentials(s3.accessKey(), s3.secretKey()), temp)) {
        assertThat(connection.isLocal()).isFalse();
        ObjectStore artifacts = connection.artifactStore();
        artifacts.checkReachable();
        artifacts.putString("runs/default/demo/report.json", "{}");
        assertThat(artifacts.uri("runs/default/demo/report.json"))
            .isEqualTo("s3://" + s3.bucket() + "/runs/default/demo/report.json");
        assertThat(temp.resolve(s3.bucket())).doesNotExist();

        new S3ObjectStore(s3.endpointClient(), "datasets").putString("train.idx", "idx");
        try (InputStream in = connection.dataBlobs().open("s3://datasets/train.idx")) {
          assertThat(in.readAllBytes()).asString().isEqualTo("idx");
        }
      }
    }
  }

  private static Map<String, String> credentials(String accessKey, String secretKey) {
    return Map.of(
        WorkerContract.ENV_ACCESS_KEY, accessKey, WorkerContract.ENV_SECRET_KEY, secretKey);
  }
}
