package dev.semisup.worker.experiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * results.csv: one row per grid point x seed, the point's columns, the seed, and what the run
 * measured (accuracies and precision as fractions, as report.json has them; empty where none).
 */
public final class ResultsTable {

  static final List<String> MEASURES = List.of("teacher_accuracy", "student_accuracy", "final_accuracy",
      "pseudo_label_precision", "index_size", "wall_seconds");

  private ResultsTable() {
  }

  public static void write(Path csv, List<String> columns, List<ResultRow> rows) throws IOException {
    List<String> header = new ArrayList<>();
    header.add("run");
    header.addAll(columns);
    header.add("seed");
    header.addAll(MEASURES);
    List<List<String>> lines = new ArrayList<>();
    lines.add(header);
    for (ResultRow row : rows) {
      List<String> line = new ArrayList<>();
      line.add(row.run());
      line.addAll(row.values());
      line.add(Integer.toString(row.seed()));
      line.add(number(row.teacherAccuracy()));
      line.add(number(row.studentAccuracy()));
      line.add(number(row.finalAccuracy()));
      line.add(number(row.pseudoLabelPrecision()));
      line.add(row.indexSize() == null ? "" : Long.toString(row.indexSize()));
      line.add(row.wallSeconds() == null ? "" : String.format(Locale.ROOT, "%.1f", row.wallSeconds()));
      lines.add(line);
    }
    writeCsv(csv, lines);
  }

  /** Writes whole or not at all (beside it, then moved), fields quoted where they hold , " or a line break. */
  static void writeCsv(Path csv, List<List<String>> lines) throws IOException {
    StringBuilder text = new StringBuilder();
    for (List<String> line : lines) {
      for (int i = 0; i < line.size(); i++) {
        if (i > 0) {
          text.append(',');
        }
        text.append(quote(line.get(i)));
      }
      text.append('\n');
    }
    writeWhole(csv, text);
  }

  /** Writes {@code text} beside {@code file} and moves it in: a reader sees the old file or the new one. */
  static void writeWhole(Path file, CharSequence text) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.writeString(partial, text, StandardCharsets.UTF_8);
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static String number(Double value) {
    return value == null ? "" : String.format(Locale.ROOT, "%.4f", value);
  }

  private static String quote(String field) {
    if (field.contains(",") || field.contains("\"") || field.contains("\n")) {
      return '"' + field.replace("\"", "\"\"") + '"';
    }
    return field;
  }
}
