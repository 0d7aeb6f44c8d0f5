package dev.semisup.worker.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.cli.Semisup;
import dev.semisup.worker.testing.TinyDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GridFileTest {

  @TempDir
  Path dir;

  static final String GRID = """
      name: tiny
      base: base.yaml
      seeds: [1, 2]
      axes:
        sampling.topK: [20, 40]
      variants:
        - name: method
        - name: unbalanced
          set: {sampling.selection: unbalanced}
        - name: supervised
          supervised: true
      plots:
        - {file: k.png, x: sampling.topK, y: final, width: 640, height: 400}
      """;

  @BeforeEach
  void base() throws IOException {
    Files.writeString(dir.resolve("base.yaml"), TinyDataset.manifest("base", "file:///data/", ""));
  }

  Grid grid(String text) throws IOException, GridException {
    Path file = dir.resolve("grid.yaml");
    Files.writeString(file, text);
    return GridFile.read(file);
  }

  @Test
  void everyVariantAxisValueAndSeedIsOneRunWithItsFieldsAndShiftedSeeds() throws Exception {
    Grid grid = grid(GRID);
    List<GridPoint> points = GridPoints.expand(grid);

    assertThat(grid.pointColumns()).containsExactly("variant", "sampling.topK");
    assertThat(points).hasSize(3 * 2 * 2);
    GridPoint first = points.get(0);
    assertThat(first.values()).containsExactly("method", "20");
    assertThat(first.seed()).isEqualTo(1);
    assertThat(first.manifest().getSpec().getSampling().getTopK()).isEqualTo(20);
    GridPoint secondSeed = points.get(1);
    assertThat(secondSeed.seed()).isEqualTo(2);
    // Seed 2 shifts every seed field by 10, as bench/demo-gain.sh: labeled subset, teacher, student, fine-tuning.
    assertThat(secondSeed.manifest().getSpec().getData().getLabeled().getSeed()).isEqualTo(11);
    assertThat(secondSeed.manifest().getSpec().getTeacher().getTraining().getSeed()).isEqualTo(11);
    assertThat(secondSeed.manifest().getSpec().getStudent().getTraining().getSeed()).isEqualTo(12);
    assertThat(secondSeed.manifest().getSpec().getStudent().getFinetuning().getSeed()).isEqualTo(13);
    GridPoint unbalanced = points.get(4);
    assertThat(unbalanced.values()).containsExactly("unbalanced", "20");
    assertThat(unbalanced.manifest().getSpec().getSampling().unbalanced()).isTrue();

    // A supervised point's spec equals the method's: its result is its teacher's, 2 teachers (one per seed).
    assertThat(points.stream().map(GridPoint::runName).distinct()).hasSize(8);
    assertThat(points.stream().map(GridPoint::resultRun).distinct()).hasSize(8 + 2);
    assertThat(points).allSatisfy(p -> assertThat(p.runName()).startsWith("tiny-").hasSizeLessThanOrEqualTo(63));
  }

  @Test
  void pointsThatAgreeOnTheTeacherShareOneAndEachSeedHasItsOwn() throws Exception {
    List<GridPoint> points = GridPoints.expand(grid(GRID));

    List<String> seedOne = points.stream().filter(p -> p.seed() == 1)
        .map(p -> p.teacher().getMetadata().getName()).distinct().toList();
    List<String> seedTwo = points.stream().filter(p -> p.seed() == 2)
        .map(p -> p.teacher().getMetadata().getName()).distinct().toList();
    assertThat(seedOne).hasSize(1);
    assertThat(seedTwo).hasSize(1).doesNotContainAnyElementsOf(seedOne);
    assertThat(seedOne.get(0)).startsWith("tiny-teacher-");
    // A supervised point is its teacher: it has no run of its own.
    GridPoint supervised = points.stream().filter(GridPoint::supervised).findFirst().orElseThrow();
    assertThat(supervised.resultRun()).isEqualTo(supervised.teacher().getMetadata().getName());
  }

  @Test
  void allLabelsIsAVariantThatRemovesPerClassAndGetsItsOwnTeacher() throws Exception {
    List<GridPoint> points = GridPoints.expand(grid(GRID.replace("    supervised: true\n",
        "    supervised: true\n  - name: all labels\n    supervised: true\n    set: {data.labeled.perClass: null}\n")));

    GridPoint all = points.stream().filter(p -> p.values().get(0).equals("all labels")).findFirst().orElseThrow();
    GridPoint subset = points.stream().filter(p -> p.values().get(0).equals("supervised")).findFirst().orElseThrow();
    assertThat(all.manifest().getSpec().getData().getLabeled().getPerClass()).isNull();
    assertThat(all.teacher().getMetadata().getName()).isNotEqualTo(subset.teacher().getMetadata().getName());
  }

  @Test
  void anAxisValueMayBringOtherFieldsAlongAndAVariantHasTheLastWord() throws Exception {
    List<GridPoint> points = GridPoints.expand(grid("""
        name: pool
        base: base.yaml
        seeds: [1]
        axes:
          data.unlabeled.limit:
            - {value: 100, also: {sampling.topK: 10}}
            - {value: 200, also: {sampling.topK: 20}}
        variants:
          - name: K scaled
          - name: K fixed
            set: {sampling.topK: 10}
        """));

    assertThat(points).extracting(GridPoint::values).containsExactly(
        List.of("K scaled", "100"), List.of("K scaled", "200"), List.of("K fixed", "100"), List.of("K fixed", "200"));
    assertThat(points).extracting(p -> p.manifest().getSpec().getData().getUnlabeled().getLimit())
        .containsExactly(100, 200, 100, 200);
    assertThat(points).extracting(p -> p.manifest().getSpec().getSampling().getTopK()).containsExactly(10, 20, 10, 10);
  }

  @Test
  void aGridLevelSetChangesTheBaseOfEveryPointAndAVariantStillHasTheLastWord() throws Exception {
    List<GridPoint> points = GridPoints.expand(grid(GRID.replace("seeds: [1, 2]\n",
        "seeds: [1, 2]\nset: {data.validateEveryEpochs: 3, sampling.selection: balanced}\n")));

    assertThat(points).allSatisfy(p -> assertThat(p.manifest().getSpec().getData().getValidateEveryEpochs()).isEqualTo(3));
    assertThat(points).filteredOn(p -> p.values().get(0).equals("unbalanced"))
        .isNotEmpty().allSatisfy(p -> assertThat(p.manifest().getSpec().getSampling().unbalanced()).isTrue());
    assertThat(points).filteredOn(p -> p.values().get(0).equals("method"))
        .allSatisfy(p -> assertThat(p.manifest().getSpec().getSampling().unbalanced()).isFalse());
    assertThatThrownBy(() -> grid(GRID.replace("seeds: [1, 2]\n", "seeds: [1, 2]\nset: [data.classes]\n")))
        .isInstanceOf(GridException.class).hasMessageContaining("set").hasMessageContaining("mapping of spec paths");
  }

  @Test
  void badGridsNameTheFileAndTheField() throws Exception {
    assertThatThrownBy(() -> grid(GRID.replace("seeds: [1, 2]", "seeds: [1, 1]")))
        .isInstanceOf(GridException.class).hasMessageEndingWith("grid.yaml: seeds[1]: repeats seed 1");
    assertThatThrownBy(() -> grid(GRID.replace("axes:", "axis:")))
        .hasMessageContaining("grid.yaml: axis: unknown field 'axis'");
    assertThatThrownBy(() -> grid(GRID.replace("base: base.yaml", "base: missing.yaml")))
        .hasMessageContaining("grid.yaml: base: ").hasMessageContaining("missing.yaml does not exist");
    assertThatThrownBy(() -> grid(GRID.replace("x: sampling.topK", "x: sampling.topP")))
        .hasMessageContaining("plots[0].x: must name an axis of this grid");
    assertThatThrownBy(() -> grid(GRID.replace("width: 640", "width: 20")))
        .hasMessageContaining("plots[0].width: must be between 100 and 4000");
    assertThatThrownBy(() -> grid(GRID.replace("name: tiny", "name: Tiny_Grid")))
        .hasMessageContaining("grid.yaml: name: must be lower-case");
    assertThatThrownBy(() -> grid(GRID.replace("sampling.topK: [20, 40]", "teacher.checkpoint: [\"file:///t\"]")))
        .hasMessageContaining("axes.teacher.checkpoint: is set by the experiment itself");
    // A value the spec refuses fails the whole grid before anything runs, naming the point and the spec field.
    assertThatThrownBy(() -> GridPoints.expand(grid(GRID.replace("[20, 40]", "[20, 0]"))))
        .hasMessageContaining("point variant=method, sampling.topK=0, seed=1").hasMessageContaining("spec.sampling.topK");
    String noPlots = GRID.substring(0, GRID.indexOf("plots:"));
    assertThatThrownBy(() -> GridPoints.expand(grid(noPlots.replace("sampling.topK:", "sampling.topk:"))))
        .hasMessageContaining("spec.sampling.topk: unknown field 'topk'");
  }

  @Test
  void theCommandExitsTwoForABadGrid() throws Exception {
    Path file = dir.resolve("grid.yaml");
    Files.writeString(file, GRID.replace("seeds: [1, 2]", "seeds: []"));
    StringWriter err = new StringWriter();
    int code = Semisup.execute(new String[] {"experiment", file.toString(), "--dir", dir.resolve("x").toString()},
        Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("grid.yaml: seeds: is required");
    assertThat(dir.resolve("x")).doesNotExist();
  }
}
