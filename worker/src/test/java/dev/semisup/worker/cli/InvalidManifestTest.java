package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.naming.RunName;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every error a user can make in a manifest exits 2, names the field or file, and writes nothing finished. */
class InvalidManifestTest {

  @TempDir
  Path dir;

  static final String VALID = """
      apiVersion: semisup.dev/v1alpha1
      kind: SemiSupervisedRun
      metadata: {name: broken}
      spec:
        data:
          classes: 3
          labeled: {uri: "file://%1$s/images", labelsUri: "file://%1$s/labels", format: idx}
          unlabeled: {uri: "file://%1$s/images", format: idx}
          validation: {uri: "file://%1$s/images", labelsUri: "file://%1$s/labels", format: idx}
        teacher: {architecture: cnn-small}
        student: {architecture: cnn-small}
        sampling: {topK: 10, topP: 1}
      """;

  record Outcome(int exit, String err) {
  }

  Outcome run(String manifest) throws IOException {
    Path file = dir.resolve("run.yaml");
    Files.writeString(file, manifest);
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(new String[] {"run", file.toString(), "--store", dir.resolve("store").toString()},
        Map.of(), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    return new Outcome(exit, err.toString());
  }

  String valid() {
    return VALID.formatted(dir.toAbsolutePath());
  }

  void assertNothingFinished() throws IOException {
    Path store = dir.resolve("store");
    if (Files.exists(store)) {
      try (Stream<Path> files = Files.walk(store)) {
        assertThat(files.filter(Files::isRegularFile)).isEmpty();
      }
    }
  }

  @Test
  void unknownFieldIsNamedWithItsPath() throws IOException {
    Outcome outcome = run(valid().replace("topK: 10", "topk: 10"));
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("spec.sampling.topk", "unknown field 'topk'", "run.yaml");
    assertNothingFinished();
  }

  @Test
  void nonPositiveTopKIsRejected() throws IOException {
    Outcome outcome = run(valid().replace("topK: 10", "topK: 0"));
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("spec.sampling.topK: must be at least 1, was 0");
    assertNothingFinished();
  }

  @Test
  void topPAboveTheClassCountIsRejected() throws IOException {
    Outcome outcome = run(valid().replace("topP: 1", "topP: 4"));
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("spec.sampling.topP: must not exceed spec.data.classes (3), was 4");
    assertNothingFinished();
  }

  @Test
  void everyProblemIsListedAtOnce() throws IOException {
    Outcome outcome = run(valid().replace("topK: 10", "topK: -1").replace("architecture: cnn-small}", "architecture: vgg}"));
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("spec.sampling.topK", "spec.teacher.architecture", "spec.student.architecture");
  }

  @Test
  void missingDataNamesTheFieldAndTheFile() throws IOException {
    Outcome outcome = run(valid());
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("spec.data.labeled.uri", dir.resolve("images") + " does not exist");
    assertNothingFinished();
  }

  @Test
  void missingDataSectionIsNamed() throws IOException {
    Outcome outcome = run("""
        apiVersion: semisup.dev/v1alpha1
        kind: SemiSupervisedRun
        metadata: {name: broken}
        spec:
          teacher: {architecture: cnn-small}
          student: {architecture: cnn-small}
        """);
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("spec.data");
  }

  @Test
  void anUnusableStoreIsBadInput() throws IOException {
    Files.write(dir.resolve("images"), new byte[] {0, 0, 8, 3});
    Files.write(dir.resolve("labels"), new byte[] {0, 0, 8, 1});
    Files.writeString(dir.resolve("store"), "a file where the store directory should be");
    Outcome outcome = run(valid());
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("store");
  }

  @Test
  void aMissingManifestFileIsNamed() {
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(new String[] {"run", dir.resolve("nope.yaml").toString()}, Map.of(),
        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("nope.yaml", "does not exist");
  }

  @Test
  void wrongKindIsNamed() throws IOException {
    Outcome outcome = run(valid().replace("kind: SemiSupervisedRun", "kind: Job"));
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("kind: must be SemiSupervisedRun, was Job");
  }

  @Test
  void aTwoDocumentFileIsRefusedNotHalfRun() throws IOException {
    Outcome outcome = run(valid() + "---\n" + valid().replace("name: broken", "name: second"));
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("run.yaml", "holds 2 YAML documents; one run per file");
    assertNothingFinished();
  }

  @Test
  void yamlNanIsRejectedByItsFieldName() throws IOException {
    Outcome outcome = run(valid().replace("teacher: {architecture: cnn-small}",
        "teacher: {architecture: cnn-small, training: {learningRate: .nan}}"));
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("spec.teacher.training.learningRate: must be a finite number, was .nan")
        .doesNotContain("not YAML or JSON");
    assertNothingFinished();
  }

  @Test
  void fractionalEpochsAreAnErrorNotTruncated() throws IOException {
    Outcome outcome = run(valid().replace("teacher: {architecture: cnn-small}",
        "teacher: {architecture: cnn-small, training: {epochs: 1.5}}"));
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).contains("spec.teacher.training.epochs: must be a whole number", "was 1.5")
        .doesNotContain("Integer", "CoercionConfig", "line -1");
  }

  @Test
  void aLongOrEmptyNameFailsWithTheNameRuleBeforeTheStoreIsTouched() throws IOException {
    Outcome longName = run(valid().replace("name: broken", "name: " + "a".repeat(300)));
    assertThat(longName.exit()).isEqualTo(2);
    assertThat(longName.err()).contains("metadata.name: must be at most " + RunName.MAX_LENGTH + " characters").doesNotContain("File name too long");
    assertThat(dir.resolve("store")).doesNotExist();

    Outcome empty = run(valid().replace("metadata: {name: broken}", "metadata: {name: \"\"}"));
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.err()).contains("metadata.name: is required");
    assertThat(dir.resolve("store")).doesNotExist();
  }

  @Test
  void aStoreInsideAFolderOfDataIsRefusedNamingBoth() throws IOException {
    Path pool = Files.createDirectories(dir.resolve("pool/class-a"));
    Files.write(pool.resolve("x.png"), new byte[] {1});
    String manifest = valid().replace("unlabeled: {uri: \"file://" + dir.toAbsolutePath() + "/images\", format: idx}",
        "unlabeled: {uri: \"file://" + dir.toAbsolutePath() + "/pool/\", format: folder}");
    assertThat(manifest).contains("format: folder");
    Path file = dir.resolve("run.yaml");
    Files.writeString(file, manifest);
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(new String[] {"run", file.toString(), "--store", dir.resolve("pool/store").toString()},
        Map.of(), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("spec.data.unlabeled.uri", "lies inside this data source", dir.resolve("pool").toString());
    assertThat(dir.resolve("pool/store")).doesNotExist();
  }
}
