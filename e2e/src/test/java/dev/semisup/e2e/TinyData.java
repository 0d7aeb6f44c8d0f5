package dev.semisup.e2e;

import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.worker.testing.TinyDataset;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.util.Map;

/**
 * The worker's tiny learnable data set (8x8 grey images, 3 classes) on the S3 server, and runs
 * over it that a cluster would accept: storage on the S3 server, credentials from a Secret, two
 * infer shards, two pod retries per step.
 */
public final class TinyData {

  public static final String PREFIX = "data/";

  private TinyData() {
  }

  public static void write(MinioClient s3, String bucket) throws Exception {
    for (Map.Entry<String, byte[]> file : TinyDataset.files().entrySet()) {
      s3.putObject(PutObjectArgs.builder().bucket(bucket).object(PREFIX + file.getKey())
          .stream(new ByteArrayInputStream(file.getValue()), file.getValue().length, -1).build());
    }
  }

  public static SemiSupervisedRun run(String namespace, String name, String endpoint, String bucket, String secret)
      throws Exception {
    String storage = """
        storage:
          endpoint: "%s"
          bucket: %s
          credentialsSecret: %s
        resources:
          cpu: "1"
          memory: 1Gi
          retries: 2
        """.formatted(endpoint, bucket, secret);
    SemiSupervisedRun run = Manifests.parse(TinyDataset.manifest(name, "s3://" + bucket + "/" + PREFIX, storage), name);
    run.getMetadata().setNamespace(namespace);
    return run;
  }
}
