package dev.semisup.e2e;

import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.StudentSpec;
import dev.semisup.api.v1alpha1.TeacherSpec;
import dev.semisup.api.v1alpha1.TrainingSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * A tiny learnable data set in IDX files on the S3 server: 8x8 grey images of 3 classes, each
 * class a bright band of rows at its own height plus noise, so one epoch learns something.
 */
public final class TinyData {

  public static final int CLASSES = 3;
  public static final int SIDE = 8;

  private TinyData() {
  }

  /** Writes labeled (60), pool (120) and validation (45) sets under s3://bucket/data/. */
  public static void write(MinioClient s3, String bucket) throws Exception {
    Random random = new Random(7);
    put(s3, bucket, "data/labeled-images.idx3", images(60, random, true), "data/labeled-labels.idx1");
    put(s3, bucket, "data/pool-images.idx3", images(120, random, true), "data/pool-labels.idx1");
    put(s3, bucket, "data/validation-images.idx3", images(45, random, true), "data/validation-labels.idx1");
  }

  private record Set(byte[] images, byte[] labels) {
  }

  private static Set images(int count, Random random, boolean balanced) {
    ByteBuffer images = ByteBuffer.allocate(16 + count * SIDE * SIDE);
    images.putInt(0x00000803).putInt(count).putInt(SIDE).putInt(SIDE);
    ByteBuffer labels = ByteBuffer.allocate(8 + count);
    labels.putInt(0x00000801).putInt(count);
    for (int i = 0; i < count; i++) {
      int label = i % CLASSES;
      labels.put((byte) label);
      for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) {
          boolean band = y / 3 == label;
          int value = (band ? 200 : 30) + random.nextInt(50);
          images.put((byte) Math.min(255, value));
        }
      }
    }
    return new Set(images.array(), labels.array());
  }

  private static void put(MinioClient s3, String bucket, String imagesKey, Set set, String labelsKey) throws Exception {
    s3.putObject(PutObjectArgs.builder().bucket(bucket).object(imagesKey)
        .stream(new ByteArrayInputStream(set.images()), set.images().length, -1).build());
    s3.putObject(PutObjectArgs.builder().bucket(bucket).object(labelsKey)
        .stream(new ByteArrayInputStream(set.labels()), set.labels().length, -1).build());
  }

  /** A run over the tiny set: 1-epoch trainings, 2 infer shards, 2 retries per step. */
  public static SemiSupervisedRun run(String namespace, String name, String endpoint, String bucket, String secret) {
    SemiSupervisedRunSpec spec = new SemiSupervisedRunSpec();
    spec.getStorage().setEndpoint(endpoint);
    spec.getStorage().setBucket(bucket);
    spec.getStorage().setCredentialsSecret(secret);
    DataSpec data = new DataSpec();
    data.setClasses(CLASSES);
    data.setImageSize(SIDE);
    data.setChannels(1);
    data.setHorizontalFlip(false);
    String base = "s3://" + bucket + "/data/";
    data.setLabeled(source(base + "labeled-images.idx3", base + "labeled-labels.idx1"));
    // The pool's labels are hidden from training; they only measure the pseudo-labels' precision.
    data.setUnlabeled(source(base + "pool-images.idx3", base + "pool-labels.idx1"));
    data.setValidation(source(base + "validation-images.idx3", base + "validation-labels.idx1"));
    spec.setData(data);
    TeacherSpec teacher = new TeacherSpec();
    teacher.setArchitecture("cnn-small");
    teacher.setTraining(oneEpoch());
    spec.setTeacher(teacher);
    StudentSpec student = new StudentSpec();
    student.setArchitecture("cnn-small");
    student.setTraining(oneEpoch());
    student.setFinetuning(oneEpoch());
    spec.setStudent(student);
    spec.getSampling().setTopK(30);
    spec.getSampling().setTopP(1);
    spec.getSampling().setShards(2);
    spec.getResources().setCpu("1");
    spec.getResources().setMemory("1Gi");
    spec.getResources().setRetries(2);
    SemiSupervisedRun run = new SemiSupervisedRun();
    run.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    run.setSpec(spec);
    return run;
  }

  private static TrainingSpec oneEpoch() {
    TrainingSpec training = new TrainingSpec();
    training.setEpochs(1);
    training.setBatchSize(16);
    training.setLearningRate(0.05);
    return training;
  }

  private static DataSourceSpec source(String uri, String labels) {
    DataSourceSpec source = new DataSourceSpec();
    source.setUri(uri);
    source.setFormat(DataFormat.IDX);
    source.setLabelsUri(labels);
    return source;
  }
}
