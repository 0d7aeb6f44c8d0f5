package dev.semisup.worker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * A TorchScript student's step folder as a torch-ddp trainer writes it, and what PyTorch computed
 * with it, as scripts/make-torchscript-student.py wrote them under
 * src/test/resources/torchscript-student: model.pt (1x8x8 input, its card's own mean and std,
 * 3 classes: TinyDataset's task), model-card.json naming it as torchscript, history.json,
 * metrics.json, _SUCCESS; 60 labeled images as IDX files with PyTorch's logits, probabilities and
 * accuracy for them.
 */
public final class TorchScriptStudentFiles {

  public static final String IMAGES = "images-idx3-ubyte.gz";
  public static final String LABELS = "labels-idx1-ubyte.gz";
  /** The step folder's files, _SUCCESS last as a trainer writes them. */
  public static final List<String> STEP_FILES = List.of("model.pt", "model-card.json", "history.json", "metrics.json",
      "_SUCCESS");

  private final JsonNode expected;

  private TorchScriptStudentFiles(JsonNode expected) {
    this.expected = expected;
  }

  public static TorchScriptStudentFiles read() {
    try {
      return new TorchScriptStudentFiles(new ObjectMapper().readTree(bytes("expected.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the step folder's files into {@code stepFolder}, as the trainer would. */
  public static void writeStep(Path stepFolder) throws IOException {
    Files.createDirectories(stepFolder);
    for (String name : STEP_FILES) {
      Files.write(stepFolder.resolve(name), bytes("step/" + name));
    }
  }

  /** Writes the labeled images and labels (IDX) into {@code dir}. */
  public static Path writeImages(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve(IMAGES), bytes(IMAGES));
    Files.write(dir.resolve(LABELS), bytes(LABELS));
    return dir;
  }

  /** Image {@code index} of the labeled set as a grey PNG. */
  public static byte[] png(int index) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(new java.io.ByteArrayInputStream(bytes(IMAGES))))) {
      in.readInt();
      in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      in.skipNBytes((long) index * rows * cols);
      BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
      image.getRaster().setDataElements(0, 0, cols, rows, in.readNBytes(rows * cols));
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ImageIO.write(image, "png", png);
      return png.toByteArray();
    }
  }

  public static byte[] bytes(String name) {
    try (InputStream in = TorchScriptStudentFiles.class.getResourceAsStream("/torchscript-student/" + name)) {
      if (in == null) {
        throw new IllegalStateException("test resource torchscript-student/" + name + " is missing: run"
            + " scripts/make-torchscript-student.py");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int images() {
    return expected.path("probabilities").size();
  }

  public int classes() {
    return expected.path("classes").asInt();
  }

  /** Images PyTorch classified right. */
  public int correct() {
    return expected.path("correct").asInt();
  }

  public double accuracy() {
    return expected.path("accuracy").asDouble();
  }

  /** PyTorch's softmax of image {@code image}. */
  public double[] probabilities(int image) {
    JsonNode row = expected.path("probabilities").path(image);
    double[] values = new double[row.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.path(i).asDouble();
    }
    return values;
  }
}
