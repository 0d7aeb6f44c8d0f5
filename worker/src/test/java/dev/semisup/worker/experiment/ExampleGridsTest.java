package dev.semisup.worker.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
}
