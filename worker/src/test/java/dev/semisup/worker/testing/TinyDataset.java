package dev.semisup.worker.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * A tiny learnable dataset as Fashion-MNIST-style IDX files: 8x8 grey images of 3 classes, class
 * c a bright horizontal band at rows 2c+1..2c+2 over noise. Seeded, so every test sees the same
 * bytes. Used by the worker's stage tests and the in-process operator e2e (the test-jar).
 */
public final class TinyDataset {

  public static final int CLASSES = 3;
  public static final int SIZE = 8;
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

  private TinyDataset() {
  }

  /** The four files by name: 300 training and 90 test images. */
  public static Map<String, byte[]> files() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    Random random = new Random(20190516);
    int[] train = labels(300, random);
    int[] test = labels(90, random);
    files.put(TRAIN_IMAGES, gzip(images(train, random)));
    files.put(TRAIN_LABELS, gzip(labelFile(train)));
    files.put(TEST_IMAGES, gzip(images(test, random)));
    files.put(TEST_LABELS, gzip(labelFile(test)));
    return files;
  }

  public static Path writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> file : files().entrySet()) {
      Files.write(dir.resolve(file.getKey()), file.getValue());
    }
    return dir;
  }

  /** The tiny data in {@code dir/data} and a manifest reading it as {@code dir/base.yaml}: the base of a test grid. */
  public static Path writeGridBase(Path dir) throws IOException {
    Path data = writeTo(dir.resolve("data"));
    String dataUri = data.toUri().toString().replaceFirst("^file:/(?!/)", "file:///");
    Path base = dir.resolve("base.yaml");
    Files.writeString(base, manifest("base", dataUri, ""));
    return base;
  }

  /**
   * A whole tiny run: 10 labels per class, the rest of the training file as the pool, two infer
   * shards, a few epochs of each training stage (a few seconds in all).
   *
   * @param dataUri where the four files are, ending in '/' (file:///dir/ or s3://bucket/prefix/)
   */
  public static String manifest(String name, String dataUri, String storageYaml) {
    return """
        apiVersion: semisup.dev/v1alpha1
        kind: SemiSupervisedRun
        metadata:
          name: %1$s
        spec:
        %3$s
          data:
            classes: 3
            imageSize: 8
            channels: 1
            horizontalFlip: false
            labeled: {uri: "%2$s%4$s", labelsUri: "%2$s%5$s", format: idx, perClass: 10, seed: 1}
            unlabeled: {uri: "%2$s%4$s", labelsUri: "%2$s%5$s", format: idx, excludeLabeled: true}
            validation: {uri: "%2$s%6$s", labelsUri: "%2$s%7$s", format: idx}
          teacher:
            architecture: cnn-small
            training: {epochs: 3, batchSize: 10, learningRate: 0.02, seed: 1}
          student:
            architecture: cnn-small
            training: {epochs: 1, batchSize: 16, learningRate: 0.02, seed: 2}
            finetuning: {epochs: 2, batchSize: 10, learningRate: 0.01, seed: 3}
          sampling: {topK: 40, topP: 1, shards: 2}
        """.formatted(name, dataUri, storageYaml.isBlank() ? "" : storageYaml.indent(2).stripTrailing(),
        TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
  }

  private static int[] labels(int count, Random random) {
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = random.nextInt(CLASSES);
    }
    return labels;
  }

  private static byte[] images(int[] labels, Random random) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x00000803);
    out.writeInt(labels.length);
    out.writeInt(SIZE);
    out.writeInt(SIZE);
    for (int label : labels) {
      for (int p = 0; p < SIZE * SIZE; p++) {
        int row = p / SIZE;
        boolean band = row >= 2 * label + 1 && row < 2 * label + 3;
        out.writeByte(Math.min(255, random.nextInt(70) + (band ? 170 : 0)));
      }
    }
    return bytes.toByteArray();
  }

  private static byte[] labelFile(int[] labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x00000801);
    out.writeInt(labels.length);
    for (int label : labels) {
      out.writeByte(label);
    }
    return bytes.toByteArray();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }
}
