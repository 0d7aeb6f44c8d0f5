package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StageMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** `semisup run examples/smoke.yaml` end to end, then again (nothing reruns). */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SemisupRunTest {

  @TempDir
  static Path store;

  static final ObjectMapper JSON = new ObjectMapper();

  record Result(int exit, String out, String err) {
  }

  static Result semisup(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  static Path run() {
    return store.resolve("semisup/runs/local/smoke");
  }

  @BeforeAll
  static void data() {
    FashionMnistFiles.require();
  }

  @Test
  @Order(1)
  void smokeRunWritesEveryArtifactOfTheLayoutAndBeatsChance() throws IOException {
    Result result = semisup("run", FashionMnistFiles.example("smoke.yaml").toString(), "--store", store.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("student, fine-tuned (final)").contains("report: file://");
    for (String key : List.of("spec.json", "report.json",
        "teacher/model.params", "teacher/metrics.json", "teacher/progress.json", "teacher/_SUCCESS",
        "candidates/shard-00000-of-00002.bin", "candidates/shard-00001-of-00002.bin",
        "candidates/_SUCCESS-00000", "candidates/_SUCCESS-00001", "candidates/_SUCCESS",
        "candidates/progress-00000.json", "candidates/progress-00001.json",
        "index/part-00000.bin", "index/summary.json", "index/_SUCCESS",
        "student/model.params", "student/metrics.json", "student/_SUCCESS",
        "finetune/model.params", "finetune/metrics.json", "finetune/_SUCCESS")) {
      assertThat(run().resolve(key)).as(key).exists();
    }
    try (Stream<Path> checkpoints = Files.list(run().resolve("teacher/checkpoints"))) {
      assertThat(checkpoints.map(p -> p.getFileName().toString()))
          .containsExactly("epoch-0007.ckpt", "epoch-0008.ckpt");
    }
    RunReport report = JSON.readValue(run().resolve("report.json").toFile(), RunReport.class);
    assertThat(report.finalAccuracy()).as("10 classes: chance is 0.10").isGreaterThan(0.30);
    assertThat(report.teacherAccuracy()).isGreaterThan(0.30);
    assertThat(report.sampledImages()).isBetween(1L, 1500L);
    assertThat(report.pseudoLabelPrecision()).isBetween(0.3, 1.0);
    StageMetrics teacher = JSON.readValue(run().resolve("teacher/metrics.json").toFile(), StageMetrics.class);
    assertThat(teacher.accuracy()).isEqualTo(report.teacherAccuracy());
    assertThat(teacher.trainImages()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void aSecondRunFindsEveryStepDoneAndChangesNothing() throws IOException {
    Path model = run().resolve("finetune/model.params");
    FileTime before = Files.getLastModifiedTime(model);

    Result result = semisup("run", FashionMnistFiles.example("smoke.yaml").toString(), "--store", store.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("teacher: already done", "infer shard 1: already done", "finetune: already done");
    assertThat(Files.getLastModifiedTime(model)).isEqualTo(before);
  }

  @Test
  @Order(3)
  void aChangedSpecRedoesOnlyTheStepsItFeeds() throws IOException {
    Path changed = store.resolve("changed.yaml");
    Files.writeString(changed, Files.readString(FashionMnistFiles.example("smoke.yaml"))
        .replace("finetuning: {epochs: 4", "finetuning: {epochs: 3"));
    FileTime teacher = Files.getLastModifiedTime(run().resolve("teacher/model.params"));
    FileTime student = Files.getLastModifiedTime(run().resolve("student/model.params"));
    FileTime finetune = Files.getLastModifiedTime(run().resolve("finetune/model.params"));

    Result result = semisup("run", changed.toString(), "--store", store.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("teacher: already done", "student: already done",
        "finetune: its inputs changed since it ran: running it again");
    assertThat(Files.getLastModifiedTime(run().resolve("teacher/model.params"))).isEqualTo(teacher);
    assertThat(Files.getLastModifiedTime(run().resolve("student/model.params"))).isEqualTo(student);
    assertThat(Files.getLastModifiedTime(run().resolve("finetune/model.params"))).isNotEqualTo(finetune);
    assertThat(JSON.readValue(run().resolve("finetune/metrics.json").toFile(), StageMetrics.class).epochs()).isEqualTo(3);
  }
}
