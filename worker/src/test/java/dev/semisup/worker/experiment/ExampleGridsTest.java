package dev.semisup.worker.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.report.RunReport;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grid files docs/RESULTS.md runs are valid: each reads, every point is a manifest semisup run
 * accepts, and the points that should share a teacher do (one teacher per seed where only the
 * sampling or the student changes).
 */
class ExampleGridsTest {

  static final Path EXAMPLES = Path.of("..", "examples", "experiments");

  @Test
  void everyExampleGridExpandsIntoValidRuns() throws Exception {
    List<Path> grids;
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      grids = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(grids).extracting(f -> f.getFileName().toString()).contains("headline.yaml", "k-sweep.yaml",
        "p-sweep.yaml", "selection.yaml", "pool-size.yaml", "student-size.yaml");
    for (Path file : grids) {
      Grid grid = GridFile.read(file);
      List<GridPoint> points = GridPoints.expand(grid);
      assertThat(points).as(file.toString()).isNotEmpty();
      assertThat(grid.plots()).as(file + " draws a plot").isNotEmpty();
    }
  }

  @Test
  void theKSweepTrainsOneTeacherPerSeed() throws Exception {
    List<GridPoint> points = GridPoints.expand(GridFile.read(EXAMPLES.resolve("k-sweep.yaml")));

    assertThat(points).hasSize(6 * 3);
    assertThat(points.stream().map(p -> p.teacher().getMetadata().getName()).distinct()).hasSize(3);
  }

  @Test
  void theHeadlineSharesTheAllLabelsTeacherAcrossBudgets() throws Exception {
    List<GridPoint> points = GridPoints.expand(GridFile.read(EXAMPLES.resolve("headline.yaml")));

    // supervised (3 budgets) and method share 9 teachers; all labels: 1 per seed whatever the budget.
    assertThat(points.stream().map(p -> p.teacher().getMetadata().getName()).distinct()).hasSize(9 + 3);
    assertThat(points.stream().filter(p -> !p.supervised()).map(GridPoint::runName).distinct()).hasSize(9);
  }

  @Test
  void theTimeLeftCountsASharedTeacherOnce() throws Exception {
    Grid grid = GridFile.read(EXAMPLES.resolve("headline.yaml"));
    List<GridPoint> points = GridPoints.expand(grid);
    Experiment experiment = new Experiment(grid, points, null, null, null, null, null, OtherExperiments.none());
    // In grid order: 9 supervised, 9 method, then all labels at 20, 100 and 500 per class, 3 seeds each.
    GridPoint firstAllLabels = points.get(18);
    assertThat(firstAllLabels.values()).startsWith("all labels");
    String teacher = firstAllLabels.teacher().getMetadata().getName();

    assertThat(experiment.runsLeft(17, Map.of())).as("three all-label teachers for nine rows").isEqualTo(3);
    assertThat(experiment.runsLeft(18, Map.of(teacher, new Pipeline.Teacher("t", "file:///t", 0.9, true))))
        .as("the teachers of seeds 2 and 3").isEqualTo(2);
    assertThat(experiment.runsLeft(8, Map.of())).as("9 method runs and 3 teachers").isEqualTo(12);
  }

  @Test
  void theTimeLeftLeavesOutRunsAndTeachersFoundFinishedAtTheStart(@TempDir Path folder) throws Exception {
    Grid kSweep = GridFile.read(EXAMPLES.resolve("k-sweep.yaml"));
    List<GridPoint> kPoints = GridPoints.expand(kSweep);
    // The K sweep beside the selection grid: K = 1000 and 5000 are its runs (6 of 18).
    Set<String> finished = kPoints.stream()
        .filter(p -> p.values().equals(List.of("1000")) || p.values().equals(List.of("5000")))
        .map(GridPoint::runName).collect(Collectors.toSet());
    Experiment kExperiment = new Experiment(kSweep, kPoints, finishedOnly(finished, Set.of()), folder, null, null,
        null, OtherExperiments.none());
    assertThat(kExperiment.runsLeft(-1, Map.of())).as("before the scan").isEqualTo(18);
    kExperiment.noteFinishedAtStart();
    assertThat(kExperiment.runsLeft(-1, Map.of())).isEqualTo(12);
    assertThat(kExperiment.runsLeft(5, Map.of())).as("after K = 1000: 2000, 3500 and 5800 left").isEqualTo(9);

    Grid headline = GridFile.read(EXAMPLES.resolve("headline.yaml"));
    List<GridPoint> points = GridPoints.expand(headline);
    String seed1AllLabels = points.get(18).teacher().getMetadata().getName();
    Experiment experiment = new Experiment(headline, points, finishedOnly(Set.of(), Set.of(seed1AllLabels)), folder,
        null, null, null, OtherExperiments.none());
    experiment.noteFinishedAtStart();
    assertThat(experiment.runsLeft(17, Map.of())).as("the all-label teachers of seeds 2 and 3").isEqualTo(2);
  }

  @Test
  void aGridFoundFinishedAtTheStartInspectsEachStoreOnce(@TempDir Path folder) throws Exception {
    Grid kSweep = GridFile.read(EXAMPLES.resolve("k-sweep.yaml"));
    List<GridPoint> points = GridPoints.expand(kSweep);
    Set<String> runs = points.stream().map(GridPoint::runName).collect(Collectors.toSet());
    Set<String> teachers = points.stream().map(p -> p.teacher().getMetadata().getName()).collect(Collectors.toSet());
    List<String> inspected = new ArrayList<>();
    StringWriter progress = new StringWriter();
    Experiment experiment = new Experiment(kSweep, points, finishedOnly(runs, teachers, inspected), folder,
        new PrintWriter(progress), System::nanoTime, rows -> { }, OtherExperiments.none());

    List<ResultRow> rows = experiment.run();

    assertThat(rows).hasSize(18).allSatisfy(row -> assertThat(row.finalAccuracy()).isEqualTo(0.8));
    assertThat(inspected).as("each run's and each teacher's store, once: at the start")
        .hasSize(runs.size() + teachers.size()).doesNotHaveDuplicates();
    assertThat(progress.toString()).contains("no run left to make").doesNotContain("time left unknown");
  }

  /** A pipeline that knows which runs and teachers are finished and runs nothing. */
  private static Pipeline finishedOnly(Set<String> runs, Set<String> teachers) {
    return finishedOnly(runs, teachers, new ArrayList<>());
  }

  /** The same, noting the name of each run or teacher whose store it is asked about. */
  private static Pipeline finishedOnly(Set<String> runs, Set<String> teachers, List<String> inspected) {
    return new Pipeline() {
      @Override
      public Teacher teacher(SemiSupervisedRun run) {
        throw new UnsupportedOperationException("trains nothing");
      }

      @Override
      public Optional<Teacher> finishedTeacher(SemiSupervisedRun run) {
        String name = run.getMetadata().getName();
        inspected.add(name);
        return teachers.contains(name) ? Optional.of(new Teacher(name, "file:///" + name, 0.9, false)) : Optional.empty();
      }

      @Override
      public Optional<RunReport> finished(SemiSupervisedRun run) {
        String name = run.getMetadata().getName();
        inspected.add(name);
        return runs.contains(name) ? Optional.of(new RunReport(name, 0.8, 0.8, 0.8, 1L, 0.9, List.of()))
            : Optional.empty();
      }

      @Override
      public RunReport run(SemiSupervisedRun run) {
        throw new UnsupportedOperationException("runs nothing");
      }
    };
  }
}
