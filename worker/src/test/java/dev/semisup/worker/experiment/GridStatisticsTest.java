package dev.semisup.worker.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.semisup.worker.cli.Semisup;
import dev.semisup.worker.testing.TinyDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grids whose summary could count one run twice, or whose size could run away, are refused. */
class GridStatisticsTest {

  @TempDir
  Path dir;

  @BeforeEach
  void base() throws IOException {
    Files.writeString(dir.resolve("base.yaml"), TinyDataset.manifest("base", "file:///data/", ""));
  }

  Path file(String text) throws IOException {
    Path file = dir.resolve("grid.yaml");
    Files.writeString(file, text);
    return file;
  }

  Grid grid(String text) throws IOException, GridException {
    return GridFile.read(file(text));
  }

  @Test
  void aRepeatedAxisValueIsRefusedNamingTheAxisAndTheValue() {
    assertThatThrownBy(() -> grid("""
        name: twice
        base: base.yaml
        seeds: [1, 2]
        axes:
          sampling.topK: [20, 40, 20]
        """)).isInstanceOf(GridException.class)
        .hasMessageEndingWith("grid.yaml: axes.sampling.topK[2]: repeats the value 20 of axes.sampling.topK[0]:"
            + " each value of an axis must be listed once");
  }

  @Test
  void everyRowShowsTheValueItsRunUsesNotTheAxisValueAnAlsoOverrode() throws Exception {
    List<GridPoint> points = GridPoints.expand(grid("""
        name: used
        base: base.yaml
        seeds: [1]
        axes:
          data.unlabeled.limit: [100, {value: 200, also: {sampling.topK: 30}}]
          sampling.topK: [20]
        """));

    assertThat(points).extracting(GridPoint::values).containsExactly(List.of("100", "20"), List.of("200", "30"));
    assertThat(points).extracting(p -> p.manifest().getSpec().getSampling().getTopK()).containsExactly(20, 30);
  }

  @Test
  void twoPointsThatAnAlsoMakesOneRunAreRefusedNamingTheValuesUsed() {
    assertThatThrownBy(() -> GridPoints.expand(grid("""
        name: overridden
        base: base.yaml
        seeds: [1]
        axes:
          data.unlabeled.limit: [{value: 100, also: {sampling.topK: 10}}]
          sampling.topK: [20, 40]
        """))).isInstanceOf(GridException.class)
        .hasMessageContaining("grid.yaml: axes: points 1 and 2 of the grid (in its order) both run with"
            + " data.unlabeled.limit=100, sampling.topK=10, seed=1")
        .hasMessageContaining("counted twice");
  }

  @Test
  void aSeedStridePastTheIntRangeKeepsEverySeedItsOwnRun() throws Exception {
    // 2^30 x (5 - 1) = 2^32: in ints the shift wrapped to 0 and seed 5 was seed 1's run again.
    List<GridPoint> points = GridPoints.expand(grid("""
        name: stride
        base: base.yaml
        seeds: [1, 5]
        seedStride: 1073741824
        axes:
          sampling.topK: [20]
        """));

    assertThat(points).extracting(GridPoint::runName).doesNotHaveDuplicates();
    assertThat(points).extracting(p -> p.manifest().getSpec().getTeacher().getTraining().getSeed())
        .containsExactly(1L, 1L + (1L << 32));
  }

  @Test
  void seedsThatGiveTheSameRunAreRefusedNamingTheSeeds() throws Exception {
    // A base with no seed field: the stride shifts nothing, every seed is the same run.
    Files.writeString(dir.resolve("base.yaml"), TinyDataset.manifest("base", "file:///data/", "")
        .replace(", seed: 1}", "}").replace(", seed: 2}", "}").replace(", seed: 3}", "}"));
    assertThatThrownBy(() -> GridPoints.expand(grid("""
        name: noseed
        base: base.yaml
        seeds: [1, 2]
        axes:
          sampling.topK: [20]
        """))).isInstanceOf(GridException.class)
        .hasMessageContaining("grid.yaml: seeds: seeds 1 and 2 give the same run noseed-");
  }

  @Test
  void theSizeComesFromTheAxesWithoutExpandingThem() throws Exception {
    Grid grid = grid("""
        name: sized
        base: base.yaml
        seeds: [1, 2, 3]
        axes:
          sampling.topK: [20, 40]
          data.unlabeled.limit: [100, 200, 300, 400]
        variants:
          - name: a
          - name: b
        """);

    assertThat(grid.size()).isEqualTo(2 * 2 * 4 * 3).isEqualTo(GridPoints.expand(grid).size());
  }

  @Test
  void aMillionRunGridIsRefusedAtOnceWithItsCountAndExitTwo() throws Exception {
    String hundred = IntStream.rangeClosed(1, 100).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
    Path file = file("""
        name: huge
        base: base.yaml
        seeds: [1]
        axes:
          sampling.topK: %1$s
          data.unlabeled.limit: %1$s
          data.validateEveryEpochs: %1$s
        """.formatted(hundred));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Semisup.execute(new String[] {"experiment",
        file.toString(), "--dir", dir.resolve("x").toString()}, Map.of(), new PrintWriter(out), new PrintWriter(err)));

    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).contains("experiment 'huge': 1000000 run(s) (100 sampling.topK x 100 data.unlabeled.limit"
        + " x 100 data.validateEveryEpochs x 1 seed(s))");
    assertThat(err.toString()).contains("grid.yaml: axes: the grid has 1000000 runs").contains("more than 10,000")
        .contains("--allow-large");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void allowLargeLetsALargeGridPastTheLimit() throws Exception {
    // 10,100 runs; the first point's topK of 0 fails the expansion at once, after the limit was passed.
    String values = IntStream.range(0, 101).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
    Path file = file("""
        name: large
        base: base.yaml
        seeds: [1]
        axes:
          sampling.topK: %1$s
          data.unlabeled.limit: %1$s
        """.formatted(values));
    StringWriter err = new StringWriter();

    int code = Semisup.execute(new String[] {"experiment", file.toString(), "--allow-large", "--dir",
        dir.resolve("x").toString()}, Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).doesNotContain("--allow-large").contains("sampling.topK=0").contains("spec.sampling.topK");
  }
}
