package dev.semisup.worker.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.worker.cli.Semisup;
import dev.semisup.worker.testing.TinyDataset;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The must-show of the experiment command: a grid of three runs sharing one teacher, its JVM
 * killed with SIGKILL once the first run has finished (the second under way), then started again:
 * the grid finishes, the first run is read back (its report.json untouched), and the shared
 * teacher is not trained again (its model, metrics and _SUCCESS untouched, no "trained" line).
 */
class ExperimentResumeTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(900)
  void aKilledExperimentFinishesWithoutRerunningAFinishedRunOrRetrainingItsTeacher() throws Exception {
    TinyDataset.writeGridBase(dir);
    Path gridFile = dir.resolve("grid.yaml");
    Files.writeString(gridFile, """
        name: resume
        base: base.yaml
        seeds: [1]
        axes:
          sampling.topK: [20, 30, 40]
        plots:
          - {file: k.png, x: sampling.topK, y: final, width: 400, height: 300}
        """);
    Path folder = dir.resolve("experiment");
    List<GridPoint> points = GridPoints.expand(GridFile.read(gridFile));
    String teacher = points.get(0).teacher().getMetadata().getName();
    assertThat(points).extracting(p -> p.teacher().getMetadata().getName()).containsOnly(teacher);

    List<String> firstOutput = runUntilTheFirstRunFinishesThenKill(gridFile, folder);

    Path teacherPrefix = prefix(folder, teacher);
    Path firstReport = prefix(folder, points.get(0).runName()).resolve("report.json");
    assertThat(firstOutput).anyMatch(line -> line.contains("teacher " + teacher + " trained in"));
    assertThat(firstReport).exists();
    // The tables so far: the run that finished before the kill is already in results.csv.
    List<String> soFar = Files.readAllLines(folder.resolve("results.csv"));
    assertThat(soFar).hasSizeGreaterThanOrEqualTo(2);
    assertThat(soFar.get(1)).startsWith(points.get(0).runName() + ",");
    assertThat(folder.resolve("summary.md")).exists();
    assertThat(folder.resolve("k.png")).as("the plot of the runs so far").exists();
    assertThat(prefix(folder, points.get(2).runName()).resolve("report.json")).as("the grid was cut short").doesNotExist();
    Map<Path, FileTime> untouched = new java.util.LinkedHashMap<>();
    for (Path file : List.of(firstReport, teacherPrefix.resolve("teacher/model.params"),
        teacherPrefix.resolve("teacher/metrics.json"), teacherPrefix.resolve("teacher/_SUCCESS"))) {
      untouched.put(file, Files.getLastModifiedTime(file));
    }
    Thread.sleep(1100); // so that a rewrite would show in the modification times

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(new String[] {"experiment", gridFile.toString(), "--dir", folder.toString()},
        Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));

    assertThat(exit).as("stderr: %s", err).isEqualTo(0);
    String second = out.toString();
    assertThat(second).contains("[1/3] sampling.topK=20, seed=1: already finished (" + points.get(0).runName());
    assertThat(second).contains("teacher " + teacher + " already trained here").doesNotContain("trained in");
    assertThat(second).contains("[3/3] sampling.topK=40, seed=1: run " + points.get(2).runName());
    for (Map.Entry<Path, FileTime> file : untouched.entrySet()) {
      assertThat(Files.getLastModifiedTime(file.getKey())).as(file.getKey().toString()).isEqualTo(file.getValue());
    }
    // One teacher in the whole store: none was trained for a run of its own.
    try (Stream<Path> runs = Files.list(folder.resolve("store/semisup/runs/local"))) {
      assertThat(runs.filter(run -> Files.exists(run.resolve("teacher/_SUCCESS"))).toList())
          .containsExactly(teacherPrefix);
    }
    List<String> results = Files.readAllLines(folder.resolve("results.csv"));
    assertThat(results).hasSize(4);
    for (int i = 1; i <= 3; i++) {
      String[] fields = results.get(i).split(",", -1);
      assertThat(fields[0]).isEqualTo(points.get(i - 1).runName());
      assertThat(fields[5]).as("final accuracy of %s", fields[0]).isNotEmpty();
      assertThat(fields[3]).as("teacher accuracy of %s", fields[0]).isNotEmpty();
    }
    assertThat(folder.resolve("k.png")).exists();
  }

  private static Path prefix(Path folder, String run) {
    return folder.resolve("store/semisup/runs/local").resolve(run);
  }

  /** `semisup experiment` in a child JVM, killed (SIGKILL) as soon as it reports its first run finished. */
  private static List<String> runUntilTheFirstRunFinishesThenKill(Path gridFile, Path folder) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx1g", "-Djava.awt.headless=true", "-cp",
        System.getProperty("java.class.path"), Semisup.class.getName(), "experiment", gridFile.toString(),
        "--dir", folder.toString())
        .redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
        if (line.startsWith("[1/3]") && line.contains(", final ")) {
          break;
        }
      }
      assertThat(line).as("the child's output: %s", lines).isNotNull();
      child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, nothing tidied up
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(137);
    }
    return lines;
  }
}
