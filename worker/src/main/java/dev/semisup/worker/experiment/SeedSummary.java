package dev.semisup.worker.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * summary.csv: one row per grid point over its seeds. The student's accuracy before fine-tuning
 * is the method without fine-tuning (the student stage evaluates it before the finetune step). The gain is paired by seed: the final
 * accuracy minus the teacher's of the same seed, and the teacher is supervised training on the
 * same labeled subset (same labels, same seed), so it is the gain over labels alone. Its range over
 * the seeds "excludes 0" when every seed gained (or every seed lost). Supervised variants have no
 * gain (their result is the teacher).
 */
public final class SeedSummary {

  /** One grid point over its seeds; accuracies as fractions, gains in points (percent). */
  public record Line(List<String> values, int seeds, Double teacherMean, Double studentMean, Double finalMean, Double finalMin,
      Double finalMax, Double gainMean, Double gainMin, Double gainMax, Double precisionMean) {

    /** "yes" when every seed's gain has the same sign, "no" when not, "" with fewer than 2 seeds or no gain. */
    public String rangeExcludesZero() {
      if (gainMin == null || seeds < 2) {
        return "";
      }
      return gainMin > 0 || gainMax < 0 ? "yes" : "no";
    }
  }

  private SeedSummary() {
  }

  public static List<Line> of(List<ResultRow> rows) {
    Map<List<String>, List<ResultRow>> byPoint = new LinkedHashMap<>();
    for (ResultRow row : rows) {
      byPoint.computeIfAbsent(row.values(), v -> new ArrayList<>()).add(row);
    }
    List<Line> lines = new ArrayList<>();
    for (Map.Entry<List<String>, List<ResultRow>> point : byPoint.entrySet()) {
      List<ResultRow> seeds = point.getValue();
      List<Double> teacher = new ArrayList<>();
      List<Double> student = new ArrayList<>();
      List<Double> fin = new ArrayList<>();
      List<Double> gain = new ArrayList<>();
      List<Double> precision = new ArrayList<>();
      for (ResultRow row : seeds) {
        add(teacher, row.teacherAccuracy());
        add(student, row.studentAccuracy());
        add(fin, row.finalAccuracy());
        add(precision, row.pseudoLabelPrecision());
        if (row.studentAccuracy() != null && row.finalAccuracy() != null && row.teacherAccuracy() != null) {
          gain.add(100 * (row.finalAccuracy() - row.teacherAccuracy()));
        }
      }
      lines.add(new Line(point.getKey(), seeds.size(), mean(teacher), mean(student), mean(fin), min(fin), max(fin),
          mean(gain), min(gain), max(gain), mean(precision)));
    }
    return lines;
  }

  public static void write(Path csv, List<String> columns, List<Line> lines) throws IOException {
    List<List<String>> table = new ArrayList<>();
    List<String> header = new ArrayList<>(columns);
    header.addAll(List.of("seeds", "teacher_accuracy_mean", "student_accuracy_mean", "final_accuracy_mean", "final_accuracy_min",
        "final_accuracy_max", "gain_points_mean", "gain_points_min", "gain_points_max", "gain_range_excludes_zero",
        "pseudo_label_precision_mean"));
    table.add(header);
    for (Line line : lines) {
      List<String> row = new ArrayList<>(line.values());
      row.add(Integer.toString(line.seeds()));
      row.add(ResultsTable.number(line.teacherMean()));
      row.add(ResultsTable.number(line.studentMean()));
      row.add(ResultsTable.number(line.finalMean()));
      row.add(ResultsTable.number(line.finalMin()));
      row.add(ResultsTable.number(line.finalMax()));
      row.add(points(line.gainMean()));
      row.add(points(line.gainMin()));
      row.add(points(line.gainMax()));
      row.add(line.rangeExcludesZero());
      row.add(ResultsTable.number(line.precisionMean()));
      table.add(row);
    }
    ResultsTable.writeCsv(csv, table);
  }

  /**
   * summary.md: the same lines as summary.csv, as a Markdown table in percent (the numbers of the
   * CSV, rounded the same way), to paste into a results page unchanged.
   */
  public static void writeMarkdown(Path markdown, List<String> columns, List<Line> lines) throws IOException {
    StringBuilder text = new StringBuilder("|");
    List<String> header = new ArrayList<>(columns);
    header.addAll(List.of("seeds", "supervised (teacher)", "without fine-tuning (student)", "final: mean [min, max]",
        "gain, points: mean [min, max]", "range excludes 0", "pseudo-label precision"));
    header.forEach(name -> text.append(' ').append(name).append(" |"));
    text.append("\n|");
    header.forEach(name -> text.append(" --- |"));
    text.append('\n');
    for (Line line : lines) {
      List<String> cells = new ArrayList<>(line.values());
      cells.add(Integer.toString(line.seeds()));
      cells.add(percent(line.teacherMean()));
      cells.add(percent(line.studentMean()));
      cells.add(percent(line.finalMean()) + (line.seeds() > 1 && line.finalMin() != null
          ? " [" + percent(line.finalMin()) + ", " + percent(line.finalMax()) + "]" : ""));
      cells.add(line.gainMean() == null ? "—" : points(line.gainMean()) + (line.seeds() > 1
          ? " [" + points(line.gainMin()) + ", " + points(line.gainMax()) + "]" : ""));
      cells.add(line.rangeExcludesZero().isEmpty() ? "—" : line.rangeExcludesZero());
      cells.add(percent(line.precisionMean()));
      text.append('|');
      cells.forEach(cell -> text.append(' ').append(cell.replace("|", "\\|")).append(" |"));
      text.append('\n');
    }
    ResultsTable.writeWhole(markdown, text);
  }

  /** A fraction as percent with two decimals: the CSV's four decimals of a fraction. */
  private static String percent(Double fraction) {
    return fraction == null ? "—" : String.format(Locale.ROOT, "%.2f", 100 * fraction);
  }

  private static String points(Double value) {
    return value == null ? "" : String.format(Locale.ROOT, "%+.2f", value);
  }

  private static void add(List<Double> values, Double value) {
    if (value != null) {
      values.add(value);
    }
  }

  static Double mean(List<Double> values) {
    return values.isEmpty() ? null : values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  static Double min(List<Double> values) {
    return values.isEmpty() ? null : values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
  }

  static Double max(List<Double> values) {
    return values.isEmpty() ? null : values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
  }
}
