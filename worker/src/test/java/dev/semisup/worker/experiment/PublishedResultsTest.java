package dev.semisup.worker.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tables of docs/RESULTS.md are what their committed results.csv gives: for every grid
 * published under docs/results/, the summary recomputed from results.csv is the committed
 * summary.md, and RESULTS.md holds that summary.md unchanged. results.csv keeps four decimals, so
 * a mean precision (over index sizes that are not round) may differ from the one computed from the
 * full values in its last digit; every other cell must be equal.
 */
class PublishedResultsTest {

  private static final Path DOCS = Path.of("..", "docs");

  @Test
  void everyPublishedSummaryIsItsResultsCsvAndIsOnTheResultsPage(@TempDir Path scratch) throws IOException {
    List<Path> published;
    try (Stream<Path> folders = Files.list(DOCS.resolve("results"))) {
      published = folders.filter(folder -> Files.exists(folder.resolve("summary.md"))).sorted().toList();
    }
    assertThat(published).extracting(folder -> folder.getFileName().toString()).contains("headline", "selection");
    String page = Files.readString(DOCS.resolve("RESULTS.md"));
    for (Path folder : published) {
      String committed = Files.readString(folder.resolve("summary.md"));
      assertThat(page).as("RESULTS.md holds %s unchanged", folder.resolve("summary.md")).contains(committed.strip());

      List<List<String>> csv = csv(folder.resolve("results.csv"));
      List<String> header = csv.get(0);
      List<String> columns = header.subList(1, header.indexOf("seed"));
      List<ResultRow> rows = new ArrayList<>();
      for (List<String> line : csv.subList(1, csv.size())) {
        int at = columns.size() + 1;
        rows.add(new ResultRow(line.subList(1, at), Integer.parseInt(line.get(at)), line.get(0), number(line.get(at + 1)),
            number(line.get(at + 2)), number(line.get(at + 3)), number(line.get(at + 4)),
            line.get(at + 5).isEmpty() ? null : Long.parseLong(line.get(at + 5)), number(line.get(at + 6))));
      }
      Path recomputed = scratch.resolve(folder.getFileName() + ".md");
      SeedSummary.writeMarkdown(recomputed, columns, SeedSummary.of(rows));

      List<String> expected = Files.readAllLines(recomputed);
      List<String> actual = committed.lines().toList();
      assertThat(actual).as(folder + "/summary.md lines").hasSameSizeAs(expected);
      for (int i = 2; i < expected.size(); i++) {
        List<String> want = cells(expected.get(i));
        List<String> got = cells(actual.get(i));
        int last = want.size() - 1;
        assertThat(got.subList(0, last)).as("%s/summary.md line %d", folder, i + 1).isEqualTo(want.subList(0, last));
        if (want.get(last).equals("—")) {
          assertThat(got.get(last)).isEqualTo("—");
        } else {
          assertThat(Double.parseDouble(got.get(last))).as("%s/summary.md line %d precision", folder, i + 1)
              .isCloseTo(Double.parseDouble(want.get(last)), within(0.0101));
        }
      }
    }
  }

  private static Double number(String field) {
    return field.isEmpty() ? null : Double.valueOf(field);
  }

  private static List<String> cells(String markdownRow) {
    String inner = markdownRow.strip();
    inner = inner.substring(1, inner.length() - 1);
    return Stream.of(inner.split(" \\| ", -1)).map(String::strip).toList();
  }

  /** RFC 4180 as ResultsTable writes it: fields quoted where they hold a comma, a quote or a line break. */
  private static List<List<String>> csv(Path file) throws IOException {
    List<List<String>> lines = new ArrayList<>();
    String text = Files.readString(file);
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        fields.add(field.toString());
        field.setLength(0);
        lines.add(fields);
        fields = new ArrayList<>();
      } else {
        field.append(c);
      }
    }
    return lines;
  }
}
