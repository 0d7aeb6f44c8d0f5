package dev.semisup.worker.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentOutputsTest {

  @TempDir
  Path dir;

  static ResultRow row(String variant, String k, int seed, Double teacher, Double student, Double fin) {
    return new ResultRow(List.of(variant, k), seed, "tiny-" + variant + k + seed, teacher, student, fin,
        student == null ? null : 0.9, student == null ? null : 60L, 12.34);
  }

  static final List<ResultRow> ROWS = List.of(
      row("method", "20", 1, 0.80, 0.78, 0.83),
      row("method", "20", 2, 0.81, 0.79, 0.82),
      row("method", "20", 3, 0.79, 0.76, 0.80),
      row("method", "40", 1, 0.80, 0.70, 0.79),
      row("method", "40", 2, 0.81, 0.75, 0.83),
      row("supervised", "20", 1, 0.80, null, 0.80));

  @Test
  void theTableHasOneRowPerRunWithItsColumnsAndMeasures() throws Exception {
    Path csv = dir.resolve("results.csv");
    ResultsTable.write(csv, List.of("variant", "sampling.topK"), ROWS);

    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(ROWS.size() + 1);
    assertThat(lines.get(0)).isEqualTo("run,variant,sampling.topK,seed,teacher_accuracy,student_accuracy,"
        + "final_accuracy,pseudo_label_precision,index_size,wall_seconds");
    assertThat(lines.get(1)).isEqualTo("tiny-method201,method,20,1,0.8000,0.7800,0.8300,0.9000,60,12.3");
    assertThat(lines.get(6)).isEqualTo("tiny-supervised201,supervised,20,1,0.8000,,0.8000,,,12.3");
  }

  @Test
  void theSummaryPairsEachSeedsGainWithItsOwnTeacher() throws Exception {
    List<SeedSummary.Line> summary = SeedSummary.of(ROWS);

    assertThat(summary).hasSize(3);
    SeedSummary.Line k20 = summary.get(0);
    assertThat(k20.seeds()).isEqualTo(3);
    // Gains 3, 1, 1 points: every seed gained.
    assertThat(k20.gainMean()).isCloseTo(5.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(k20.gainMin()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(k20.gainMax()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(k20.rangeExcludesZero()).isEqualTo("yes");
    // Gains -1 and +2: the range includes 0.
    assertThat(summary.get(1).rangeExcludesZero()).isEqualTo("no");
    // The supervised baseline has no gain over itself.
    assertThat(summary.get(2).gainMean()).isNull();
    assertThat(summary.get(2).rangeExcludesZero()).isEmpty();

    Path csv = dir.resolve("summary.csv");
    SeedSummary.write(csv, List.of("variant", "sampling.topK"), summary);
    assertThat(Files.readAllLines(csv).get(1)).isEqualTo("method,20,3,0.8000,0.7767,0.8167,0.8000,0.8300,+1.67,+1.00,+3.00,yes,0.9000");

    // summary.md: the same numbers in percent, a row per point.
    Path markdown = dir.resolve("summary.md");
    SeedSummary.writeMarkdown(markdown, List.of("variant", "sampling.topK"), summary);
    List<String> table = Files.readAllLines(markdown);
    assertThat(table).hasSize(2 + 3);
    assertThat(table.get(0)).startsWith("| variant | sampling.topK | seeds | supervised (teacher) |");
    assertThat(table.get(2)).isEqualTo(
        "| method | 20 | 3 | 80.00 | 77.67 | 81.67 [80.00, 83.00] | +1.67 [+1.00, +3.00] | yes | 90.00 |");
    assertThat(table.get(4)).isEqualTo("| supervised | 20 | 1 | 80.00 | — | 80.00 | — | — | — |");
  }

  @Test
  void thePlotIsAPngOfTheConfiguredSize() throws Exception {
    Grid grid = new Grid(dir.resolve("grid.yaml"), "tiny", null, List.of(1, 2, 3), 10,
        List.of(new Grid.Axis("sampling.topK", List.of())), List.of(new Grid.Variant("method", java.util.Map.of(), false),
            new Grid.Variant("supervised", java.util.Map.of(), true)),
        List.of(new Grid.PlotSpec("k.png", "sampling.topK", Metric.FINAL, 640, 400),
            new Grid.PlotSpec("variants.png", "variant", Metric.TEACHER, 300, 200)));

    List<Path> plots = ExperimentPlots.write(grid, ROWS, dir);

    assertThat(plots).containsExactly(dir.resolve("k.png"), dir.resolve("variants.png"));
    BufferedImage k = ImageIO.read(dir.resolve("k.png").toFile());
    assertThat(k.getWidth()).isEqualTo(640);
    assertThat(k.getHeight()).isEqualTo(400);
    BufferedImage variants = ImageIO.read(dir.resolve("variants.png").toFile());
    assertThat(variants.getWidth()).isEqualTo(300);
    assertThat(variants.getHeight()).isEqualTo(200);
    assertThat(dir.resolve("k.png.partial.png")).doesNotExist();

    // Two lines (one per variant), the method's mean at K=20 over its three seeds.
    var chart = ExperimentPlots.chart(grid, grid.plots().get(0), ROWS);
    assertThat(chart.x()).containsExactly("20", "40");
    assertThat(chart.series()).extracting(s -> s.name()).containsExactly("variant=method", "variant=supervised");
    assertThat(chart.series().get(0).mean()[0]).isCloseTo(81.6667, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(chart.series().get(0).min()[0]).isCloseTo(80.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(chart.series().get(1).mean()[1]).isNaN();
  }
}
