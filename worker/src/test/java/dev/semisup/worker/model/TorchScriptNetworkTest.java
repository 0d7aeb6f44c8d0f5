package dev.semisup.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.formats.IdxSource;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.testing.TorchScriptTeacherFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in TorchScript teacher through DJL's PyTorch engine: the same logits as PyTorch
 * computed for the same images (preprocessed by the worker's own geometry and normalisation), and
 * a clear error for each way a file or its declared input can be wrong.
 */
class TorchScriptNetworkTest {

  private static final byte[] TEACHER = TorchScriptTeacherFiles.bytes(TorchScriptTeacherFiles.TEACHER);

  @TempDir
  Path dir;

  @Test
  void logitsAndProbabilitiesEqualPyTorchsOnTheSameImages() throws IOException {
    TorchScriptTeacherFiles files = TorchScriptTeacherFiles.copyTo(dir);
    ImageGeometry geometry = new ImageGeometry(files.channels(), files.imageSize());
    Augmentation normalise = new Augmentation(Augmentation.Strength.NONE, geometry, files.mean(), files.std(), false);
    int pixels = normalise.floatsPerImage();
    float[] batch = new float[files.images() * pixels];
    int count = 0;
    // The pool is 8x8 grey; the teacher takes 3 channels: the geometry copies grey into each.
    IdxSource pool = new IdxSource(new FileBlobs(), dir.resolve(TorchScriptTeacherFiles.POOL_IMAGES).toUri().toString(),
        null, geometry, Long.MAX_VALUE);
    try (ImageStream stream = pool.open()) {
      for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
        normalise.apply(image, new Random(0), batch, count++ * pixels);
      }
    }
    assertThat(count).isEqualTo(files.images());
    ModelShape shape = new ModelShape(files.channels(), files.imageSize(), files.classes());

    try (TorchScriptNetwork teacher = TorchScriptNetwork.load(TEACHER, shape, Device.cpu(), "teacher.pt")) {
      float[] logits = teacher.logits(batch, count);
      float[] probabilities = teacher.probabilities(batch, count);
      for (int i = 0; i < count; i++) {
        for (int c = 0; c < files.classes(); c++) {
          assertThat((double) logits[i * files.classes() + c]).as("logit %d of image %d", c, i)
              .isCloseTo(files.logits(i)[c], within(1e-4));
          assertThat((double) probabilities[i * files.classes() + c]).as("probability %d of image %d", c, i)
              .isCloseTo(files.probabilities(i)[c], within(1e-4));
        }
      }
      // Inference mode: a batch of one gives what the whole batch gave (batch-norm uses its running statistics).
      float[] alone = teacher.logits(java.util.Arrays.copyOfRange(batch, 5 * pixels, 6 * pixels), 1);
      assertThat(alone[0]).isCloseTo(logits[5 * files.classes()], within(1e-5f));
      try (TorchScriptNetwork replica = teacher.replica(Device.cpu())) {
        assertThat(replica.probabilities(batch, count)).containsExactly(probabilities, within(1e-6f));
      }
    }
  }

  @Test
  void aDeclaredShapeTheTeacherCannotTakeNamesTheInputFields() {
    assertThatThrownBy(() -> TorchScriptNetwork.load(TEACHER, new ModelShape(3, 16, 3), Device.cpu(), "file:///t/teacher.pt"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("file:///t/teacher.pt: fails on a batch of one 3x16x16 image")
        .hasMessageContaining("spec.teacher.input.channels and .imageSize");
    assertThatThrownBy(() -> TorchScriptNetwork.load(TEACHER, new ModelShape(1, 8, 3), Device.cpu(), "teacher.pt"))
        .hasMessageContaining("fails on a batch of one 1x8x8 image");
  }

  @Test
  void aTeacherOfAnotherClassCountNamesTheClasses() {
    assertThatThrownBy(() -> TorchScriptNetwork.load(TEACHER, new ModelShape(3, 8, 10), Device.cpu(), "teacher.pt"))
        .isInstanceOf(IOException.class)
        .hasMessage("teacher.pt: returns (1, 3) for a batch of one 3x8x8 image, where a teacher of spec.data.classes"
            + " = 10 classes returns (1, 10)");
  }

  @Test
  void filesThatAreNoTorchScriptSayHowToExportOne() throws IOException {
    ModelShape shape = new ModelShape(3, 8, 3);
    byte[] params = {0, 0, 0, 1, 2, 3};
    assertThatThrownBy(() -> TorchScriptNetwork.load(params, shape, Device.cpu(), "teacher.params"))
        .hasMessageStartingWith("teacher.params: not a TorchScript file")
        .hasMessageContaining("torch.jit.trace(model, example).save(path)");
    // torch.save(model.state_dict()) writes a zip too, with data.pkl but no code/.
    ByteArrayOutputStream stateDict = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(stateDict)) {
      zip.putNextEntry(new ZipEntry("weights/data.pkl"));
      zip.write(new byte[] {(byte) 0x80, 2});
      zip.closeEntry();
    }
    assertThatThrownBy(() -> TorchScriptNetwork.load(stateDict.toByteArray(), shape, Device.cpu(), "weights.pt"))
        .hasMessageStartingWith("weights.pt: a PyTorch archive without TorchScript code (saved with torch.save?)");
    byte[] truncated = java.util.Arrays.copyOf(TEACHER, TEACHER.length / 2);
    assertThatThrownBy(() -> TorchScriptNetwork.load(truncated, shape, Device.cpu(), "cut.pt"))
        .isInstanceOf(IOException.class).hasMessageStartingWith("cut.pt: ");
  }
}
