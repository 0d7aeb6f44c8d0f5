package dev.semisup.worker.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

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
}
