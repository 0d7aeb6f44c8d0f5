package dev.semisup.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.validation.Problem;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The manifest reader is strict about numbers and documents, and speaks YAML, not Java, in its messages. */
class ManifestsTest {

  static final String MANIFEST = SpecValidatorTest.MANIFEST.replace("teacher: {architecture: cnn-large}", """
      teacher:
          architecture: cnn-large
          training: {epochs: 3, learningRate: 0.1}""");

  static List<Problem> problems(String text) {
    return catchThrowableOfType(() -> Manifests.parse(text, "run.yaml"), ManifestException.class).problems();
  }

  static String message(String text) {
    return catchThrowableOfType(() -> Manifests.parse(text, "run.yaml"), ManifestException.class).getMessage();
  }

  @Test
  void theBaseManifestParses() throws ManifestException {
    assertThat(Manifests.parse(MANIFEST, "run.yaml").getSpec().getTeacher().getTraining().getEpochs()).isEqualTo(3);
  }

  @Test
  void aFractionWhereAWholeNumberBelongsIsAnErrorNotTruncated() {
    assertThat(problems(MANIFEST.replace("epochs: 3", "epochs: 1.5")))
        .singleElement().satisfies(p -> {
          assertThat(p.field()).isEqualTo("spec.teacher.training.epochs");
          assertThat(p.message()).contains("must be a whole number", "was 1.5", "(line 13)");
        });
    assertThat(problems(MANIFEST.replace("topK: 5000", "topK: 50.7")))
        .singleElement().satisfies(p -> {
          assertThat(p.field()).isEqualTo("spec.sampling.topK");
          assertThat(p.message()).contains("must be a whole number", "was 50.7");
        });
  }

  @Test
  void yamlNonFiniteNumbersAreReadOnlyToBeRejectedByName() {
    assertThat(message(MANIFEST.replace("learningRate: 0.1", "learningRate: .nan")))
        .contains("spec.teacher.training.learningRate: must be a finite number, was .nan")
        .doesNotContain("not YAML or JSON");
    assertThat(problems(MANIFEST.replace("learningRate: 0.1", "learningRate: -.inf").replace("classes: 10", "classes: 10\n    mean: [.Inf]")))
        .extracting(Problem::field).containsExactlyInAnyOrder("spec.teacher.training.learningRate", "spec.data.mean[0]");
  }

  @Test
  void aFileWithTwoDocumentsIsRefusedNotHalfRead() {
    String two = MANIFEST + "---\n" + MANIFEST.replace("name: demo", "name: other");
    assertThat(message(two)).contains("run.yaml", "holds 2 YAML documents; one run per file");
    // A leading document marker and a trailing empty document are still one run.
    assertThat(catchThrowableOfType(() -> Manifests.parse("---\n" + MANIFEST + "---\n", "run.yaml"), ManifestException.class))
        .isNull();
  }

  @Test
  void typeAndEnumMistakesNameTheFieldWithoutJavaNames() {
    String bad = MANIFEST.replace("format: idx, perClass: 100", "format: png, perClass: 100");
    assertThat(message(bad)).contains("spec.data.labeled.format: must be one of idx, cifar, tar, folder, was png");
    String list = MANIFEST.replace("epochs: 3", "epochs: [3]");
    assertThat(message(list)).contains("spec.teacher.training.epochs: must be a whole number");
    String text = MANIFEST.replace("learningRate: 0.1", "learningRate: fast");
    assertThat(message(text)).contains("spec.teacher.training.learningRate: must be a number, was fast");
    String huge = MANIFEST.replace("epochs: 3", "epochs: 99999999999");
    assertThat(message(huge)).contains("spec.teacher.training.epochs: must be a whole number between");
    for (String m : List.of(message(bad), message(list), message(text), message(huge))) {
      assertThat(m).doesNotContain("java.", "`", "line -1", "CoercionConfig", "dev.semisup", "Integer");
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aFifoGivenAsTheManifestIsRefusedInsteadOfWaitedFor(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("run.yaml");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    ManifestException e = catchThrowableOfType(() -> Manifests.read(fifo), ManifestException.class);
    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("file");
      assertThat(p.message()).contains("not a regular file");
    });
  }

  @Test
  void aManifestLargerThanAnyObjectTheApiServerStoresIsRefusedUnread(@TempDir Path dir) throws Exception {
    Path huge = dir.resolve("run.yaml");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(3L * 1024 * 1024 * 1024); // sparse: 3 GB on paper, nothing on disk
    }
    ManifestException e = catchThrowableOfType(() -> Manifests.read(huge), ManifestException.class);
    assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("at most 1572864"));
    assertThat(Files.size(huge)).isEqualTo(3L * 1024 * 1024 * 1024);
  }
}
