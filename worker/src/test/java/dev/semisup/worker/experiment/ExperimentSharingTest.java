package dev.semisup.worker.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.worker.cli.Semisup;
import dev.semisup.worker.testing.TinyDataset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two grids in folders side by side that share a point (K = 30, the same spec): the second reads
 * the first one's run back instead of running it again, and runs its other point itself with the
 * teacher the first one trained (the same inputs), not one of its own.
 */
class ExperimentSharingTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(900)
  void aPointAnotherExperimentBesideItFinishedIsReadBackNotRunAgain() throws Exception {
    TinyDataset.writeGridBase(dir);
    Path first = grid("first", "[20, 30]");
    Path second = grid("second", "[30, 40]");
    Path experiments = dir.resolve("experiments");
    List<GridPoint> firstPoints = GridPoints.expand(GridFile.read(first));
    List<GridPoint> secondPoints = GridPoints.expand(GridFile.read(second));
    String shared = firstPoints.get(1).runName();
    assertThat(secondPoints.get(0).specHash()).isEqualTo(firstPoints.get(1).specHash());
    assertThat(secondPoints.get(1).specHash()).isNotIn(firstPoints.get(0).specHash(), firstPoints.get(1).specHash());

    assertThat(experiment(first, experiments.resolve("first"))).contains("[2/2] sampling.topK=30, seed=1: run " + shared);
    Path sharedReport = experiments.resolve("first/store/semisup/runs/local").resolve(shared).resolve("report.json");
    FileTime written = Files.getLastModifiedTime(sharedReport);
    Thread.sleep(1100); // so that a rewrite would show in the modification time

    String output = experiment(second, experiments.resolve("second"));

    assertThat(output).contains("runs with the same spec, and teachers with the same inputs, are read back from the experiments beside it: [first]");
    assertThat(output).contains("[1/2] sampling.topK=30, seed=1: already finished by experiment 'first' (" + shared);
    assertThat(output).contains("[2/2] sampling.topK=40, seed=1: run " + secondPoints.get(1).runName());
    assertThat(Files.getLastModifiedTime(sharedReport)).isEqualTo(written);
    Path secondRuns = experiments.resolve("second/store/semisup/runs/local");
    assertThat(secondRuns.resolve(secondPoints.get(0).runName())).as("not run again under the second grid's name")
        .doesNotExist();
    assertThat(secondRuns.resolve(secondPoints.get(1).runName()).resolve("report.json")).exists();
    String firstTeacher = firstPoints.get(0).teacher().getMetadata().getName();
    String secondTeacher = secondPoints.get(0).teacher().getMetadata().getName();
    assertThat(output).contains("[1/2] sampling.topK=30, seed=1: teacher " + secondTeacher
        + " already trained by experiment 'first' (" + firstTeacher + ", the same inputs)");
    assertThat(output).doesNotContain("trained in");
    assertThat(secondRuns.resolve(secondTeacher)).as("no teacher trained under the second grid's name").doesNotExist();
    assertThat(Files.readString(secondRuns.resolve(secondPoints.get(1).runName()).resolve("spec.json")))
        .as("the second grid's own run scored the pool with the first grid's teacher")
        .contains("\"checkpoint\":\"" + experiments.resolve("first/store").toUri().toString().replaceFirst("/$", "")
            + "/semisup/runs/local/" + firstTeacher + "/teacher/model.params\"");
    List<String> firstResults = Files.readAllLines(experiments.resolve("first/results.csv"));
    List<String> secondResults = Files.readAllLines(experiments.resolve("second/results.csv"));
    assertThat(secondResults.get(1)).as("the row names the run it was read from and carries its numbers")
        .isEqualTo(firstResults.get(2));
  }

  private Path grid(String name, String topK) throws Exception {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, """
        name: %s
        base: base.yaml
        seeds: [1]
        axes:
          sampling.topK: %s
        plots:
          - {file: k.png, x: sampling.topK, y: final, width: 400, height: 300}
        """.formatted(name, topK));
    return file;
  }

  private static String experiment(Path grid, Path folder) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(new String[] {"experiment", grid.toString(), "--dir", folder.toString()}, Map.of(),
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(exit).as("stderr: %s", err).isEqualTo(0);
    return out.toString();
  }
}
