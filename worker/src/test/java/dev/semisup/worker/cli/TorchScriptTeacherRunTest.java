package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.report.RunReport;
import dev.semisup.worker.testing.TorchScriptTeacherFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `semisup run` with a TorchScript teacher on the tiny dataset: no teacher step; infer scores the
 * 8x8 grey pool at the teacher's declared 3x8x8 input with its own mean and std; the student (the
 * project's own cnn-small, at the run's 1x8x8) pre-trains on its pseudo-labels and is fine-tuned.
 */
class TorchScriptTeacherRunTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  static TinyRuns runs;
  static TorchScriptTeacherFiles teacher;
  static String teacherUri;

  @BeforeAll
  static void files() throws IOException {
    runs = new TinyRuns(dir);
    teacher = TorchScriptTeacherFiles.copyTo(dir.resolve("teacher"));
    teacherUri = dir.resolve("teacher").toUri().toString();
  }

  /** The tiny manifest with its trained cnn-small teacher swapped for {@code teacherYaml}. */
  static String manifest(String name, String teacherYaml) {
    String tiny = runs.manifest(name, "");
    String trained = """
          teacher:
            architecture: cnn-small
            training: {epochs: 3, batchSize: 10, learningRate: 0.02, seed: 1}
        """;
    assertThat(tiny).contains(trained);
    return tiny.replace(trained, teacherYaml.indent(2));
  }

  @Test
  void aRunWithATorchScriptTeacherGoesFromInferToFinetune() throws IOException {
    TinyRuns.Result result = runs.run(runs.write("ts.yaml", manifest("ts", teacher.teacherYaml(teacherUri))));

    assertThat(result.exit()).as(result.err()).isZero();
    Path run = runs.prefix("runs/local/ts");
    assertThat(run.resolve("teacher")).as("the teacher step is skipped").doesNotExist();
    for (String key : new String[] {"candidates/_SUCCESS", "index/_SUCCESS", "student/_SUCCESS", "finetune/_SUCCESS",
        "report.json"}) {
      assertThat(run.resolve(key)).as(key).exists();
    }
    RunReport report = JSON.readValue(run.resolve("report.json").toFile(), RunReport.class);
    assertThat(report.teacherAccuracy()).as("not trained here: no teacher metrics").isNull();
    // The traced teacher knows the band task: its pseudo-labels are right when the pool is preprocessed as declared.
    assertThat(report.pseudoLabelPrecision()).isGreaterThan(0.95);
    assertThat(report.finalAccuracy()).as("3 classes: chance is 1/3").isGreaterThan(0.5);
    JsonNode spec = JSON.readTree(run.resolve("spec.json").toFile());
    assertThat(spec.at("/teacher/format").asText()).isEqualTo("torchscript");
  }

  @Test
  void aDeclaredInputTheTeacherCannotTakeFailsInferWithExitCode2() throws IOException {
    String wrongSize = teacher.teacherYaml(teacherUri).replace("imageSize: 8", "imageSize: 12");
    assertThat(wrongSize).contains("imageSize: 12");

    TinyRuns.Result result = runs.run(runs.write("wrong.yaml", manifest("wrong", wrongSize)));

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("spec.teacher.checkpoint: " + teacherUri + "teacher.pt: fails on a batch of one"
        + " 3x12x12 image", "spec.teacher.input.channels and .imageSize");
  }

  @Test
  void aTorchScriptTeacherWithoutItsInputIsRefusedBeforeAnythingRuns() throws IOException {
    String noInput = "teacher: {format: torchscript, checkpoint: \"" + teacherUri + "teacher.pt\"}";

    TinyRuns.Result result = runs.run(runs.write("noinput.yaml", manifest("noinput", noInput)));

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("spec.teacher.input: is required with format: torchscript");
    assertThat(runs.prefix("runs/local/noinput")).doesNotExist();
  }
}
