package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.worker.model.card.ModelCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest corrected after some steps finished: each step compares its recorded inputs, so only
 * the steps a change feeds are redone, and a validation fix retrains nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChangedSpecTest {

  @TempDir
  static Path dir;

  static TinyRuns runs;
  static String manifest;

  static final List<String> MODELS = List.of("teacher/model.params", "candidates/shard-00000-of-00002.bin",
      "index/part-00000.bin", "student/model.params", "finetune/model.params");

  @BeforeAll
  static void aRunFinishes() throws IOException {
    runs = new TinyRuns(dir);
    manifest = runs.manifest("tiny", "");
    TinyRuns.Result first = runs.run(runs.write("tiny.yaml", manifest));
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(runs.prefix("runs/local/tiny/teacher/inputs.json")).exists();
  }

  static Path artifact(String key) {
    return runs.prefix("runs/local/tiny/" + key);
  }

  static Map<String, FileTime> written() throws IOException {
    Map<String, FileTime> times = new LinkedHashMap<>();
    for (String key : MODELS) {
      times.put(key, Files.getLastModifiedTime(artifact(key)));
    }
    return times;
  }

  @Test
  @Order(1)
  void aFixedValidationSetReevaluatesTheKeptModelsAndTrainsNothing() throws IOException {
    Map<String, FileTime> before = written();
    FileTime teacherMetrics = Files.getLastModifiedTime(artifact("teacher/metrics.json"));
    // The fix: the validation set is now the first 45 test images.
    String fixed = manifest.replace("format: idx}\n  teacher:", "format: idx, limit: 45}\n  teacher:");
    assertThat(fixed).isNotEqualTo(manifest);

    TinyRuns.Result result = runs.run(runs.write("tiny.yaml", fixed));

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("teacher: the validation set changed: evaluating its model again",
        "infer shard 0: already done", "select: already done",
        "finetune: the validation set changed: evaluating its model again");
    assertThat(written()).as("no model, candidate shard or index is rewritten").isEqualTo(before);
    assertThat(Files.getLastModifiedTime(artifact("teacher/metrics.json"))).isNotEqualTo(teacherMetrics);
    ObjectMapper json = new ObjectMapper();
    StageMetrics teacher = json.readValue(artifact("teacher/metrics.json").toFile(), StageMetrics.class);
    assertThat(teacher.epochs()).as("what training did is kept").isEqualTo(3);
    RunReport report = json.readValue(artifact("report.json").toFile(), RunReport.class);
    assertThat(report.teacherAccuracy()).isEqualTo(teacher.accuracy());
    // The cards say what the models score on the fixed set, the servable copy's too.
    for (String card : List.of("teacher/model-card.json", "finetune/model-card.json", "finetune/servable/model-card.json")) {
      ModelCard read = ModelCard.parse(Files.readAllBytes(artifact(card)), card);
      assertThat(read.validation().images()).as(card).isEqualTo(45L);
    }
    assertThat(ModelCard.parse(Files.readAllBytes(artifact("teacher/model-card.json")), "teacher").validation().accuracy())
        .isEqualTo(teacher.accuracy());
  }

  @Test
  @Order(2)
  void moreStudentEpochsRedoStudentAndFinetuneAndKeepTheRest() throws IOException {
    String current = Files.readString(runs.dir().resolve("tiny.yaml"));
    Map<String, FileTime> before = written();
    String changed = current.replace("training: {epochs: 1, batchSize: 16", "training: {epochs: 2, batchSize: 16");
    assertThat(changed).isNotEqualTo(current);

    TinyRuns.Result result = runs.run(runs.write("tiny.yaml", changed));

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("teacher: already done", "infer shard 1: already done", "select: already done",
        "student: its inputs changed since it ran: running it again",
        "finetune: its inputs changed since it ran: running it again");
    Map<String, FileTime> after = written();
    for (String kept : List.of("teacher/model.params", "candidates/shard-00000-of-00002.bin", "index/part-00000.bin")) {
      assertThat(after.get(kept)).as(kept).isEqualTo(before.get(kept));
    }
    for (String redone : List.of("student/model.params", "finetune/model.params")) {
      assertThat(after.get(redone)).as(redone).isNotEqualTo(before.get(redone));
    }
    StageMetrics student = new ObjectMapper().readValue(artifact("student/metrics.json").toFile(), StageMetrics.class);
    assertThat(student.epochs()).isEqualTo(2);
    assertThat(artifact("student/checkpoints/epoch-0002.ckpt")).exists();
  }

  @Test
  @Order(3)
  void theSameManifestAgainDoesNothing() throws IOException {
    Map<String, FileTime> before = written();
    TinyRuns.Result result = runs.run(runs.dir().resolve("tiny.yaml"));
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("teacher: already done", "student: already done", "finetune: already done")
        .doesNotContain("running it again", "evaluating");
    assertThat(written()).isEqualTo(before);
  }

  @Test
  @Order(4)
  void stepsFinishedBeforeInputRecordsAreJudgedByTheSpecSnapshot() throws IOException {
    // As a store written before steps recorded their inputs: only spec.json says what they used.
    try (var files = Files.walk(runs.prefix("runs/local/tiny"))) {
      for (Path record : files.filter(f -> f.getFileName().toString().equals("inputs.json")).toList()) {
        Files.delete(record);
      }
    }
    String current = Files.readString(runs.dir().resolve("tiny.yaml"));
    Map<String, FileTime> before = written();
    String changed = current.replace("finetuning: {epochs: 2", "finetuning: {epochs: 1");
    assertThat(changed).isNotEqualTo(current);

    TinyRuns.Result result = runs.run(runs.write("tiny.yaml", changed));

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("teacher: already done", "student: already done",
        "finetune: its inputs changed since it ran: running it again");
    assertThat(written().get("student/model.params")).isEqualTo(before.get("student/model.params"));
    assertThat(written().get("finetune/model.params")).isNotEqualTo(before.get("finetune/model.params"));
    assertThat(artifact("teacher/inputs.json")).exists();
  }
}
