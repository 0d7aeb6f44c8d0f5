package dev.semisup.worker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The TorchScript teacher of the tests and what PyTorch computed with it, as
 * scripts/make-torchscript-teacher.py wrote them under src/test/resources/torchscript: the traced
 * network (3x8x8 input, its own mean and std, 3 classes: TinyDataset's task), 48 pool images
 * as IDX files, and PyTorch's logits and probabilities for them.
 */
public final class TorchScriptTeacherFiles {

  public static final String TEACHER = "teacher.pt";
  public static final String POOL_IMAGES = "pool-images-idx3-ubyte.gz";
  public static final String POOL_LABELS = "pool-labels-idx1-ubyte.gz";
  private static final List<String> FILES = List.of(TEACHER, POOL_IMAGES, POOL_LABELS, "expected.json");

  private final JsonNode expected;

  private TorchScriptTeacherFiles(JsonNode expected) {
    this.expected = expected;
  }

  /** Copies the files into {@code dir} (so runs can name them by file:// URI) and reads expected.json. */
  public static TorchScriptTeacherFiles copyTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : FILES) {
      Files.write(dir.resolve(name), bytes(name));
    }
    return new TorchScriptTeacherFiles(new ObjectMapper().readTree(bytes("expected.json")));
  }

  public static byte[] bytes(String name) {
    try (InputStream in = TorchScriptTeacherFiles.class.getResourceAsStream("/torchscript/" + name)) {
      if (in == null) {
        throw new IllegalStateException("test resource torchscript/" + name + " is missing: run"
            + " scripts/make-torchscript-teacher.py");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int imageSize() {
    return expected.path("imageSize").asInt();
  }

  public int channels() {
    return expected.path("channels").asInt();
  }

  public int classes() {
    return expected.path("classes").asInt();
  }

  public double[] mean() {
    return doubles(expected.path("mean"));
  }

  public double[] std() {
    return doubles(expected.path("std"));
  }

  public int images() {
    return expected.path("probabilities").size();
  }

  /** PyTorch's logits of pool image {@code image}. */
  public double[] logits(int image) {
    return doubles(expected.path("logits").path(image));
  }

  /** PyTorch's softmax of pool image {@code image}. */
  public double[] probabilities(int image) {
    return doubles(expected.path("probabilities").path(image));
  }

  /** The teacher's spec section for files under {@code dataUri} (ending in '/'), indented for a manifest's spec. */
  public String teacherYaml(String dataUri) {
    return """
        teacher:
          format: torchscript
          checkpoint: "%s%s"
          input: {imageSize: %d, channels: %d, mean: %s, std: %s}""".formatted(dataUri, TEACHER, imageSize(), channels(),
        expected.path("mean"), expected.path("std"));
  }

  private static double[] doubles(JsonNode array) {
    double[] values = new double[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.path(i).asDouble();
    }
    return values;
  }
}
