package dev.semisup.worker.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.worker.sampling.Candidate;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html against a run whose index, pack and numbers the test wrote itself. */
class RunReportPageTest {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T02:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path dir;

  @Test
  void contactSheetsShowExactlyEachClassesTopMiddleAndBottomEntriesWithWrongOnesMarked() throws Exception {
    SyntheticRun synthetic = new SyntheticRun(dir, 5, 30, 3, 0);
    Document page = Jsoup.parse(new String(RunReportPage.build(synthetic.run(), CLOCK, Set.of()), StandardCharsets.UTF_8));

    assertThat(page.select("#class-table tr[data-class]").eachAttr("data-class"))
        .containsExactly("0", "1", "2", "3", "4");
    assertThat(page.select("section.sheet").eachAttr("data-class")).containsExactly("0", "1", "2", "3", "4");
    int perRole = ContactSheets.perRole(5);
    long wrongShown = 0;
    for (int cls = 0; cls < 5; cls++) {
      List<Candidate> ranked = synthetic.entries.get(cls);
      Element sheet = page.selectFirst("section.sheet[data-class=" + cls + "]");
      ContactSheetPicks.Ranges ranges = ContactSheetPicks.Ranges.of(ranked.size(), perRole);
      assertThat(refs(sheet, "top")).containsExactlyElementsOf(keys(ranked, 0, perRole));
      assertThat(refs(sheet, "middle")).containsExactlyElementsOf(keys(ranked, ranges.middleFrom(), ranges.middleTo()));
      assertThat(ranges.middleTo() - ranges.middleFrom()).isEqualTo(perRole);
      assertThat(ranges.middleFrom()).isBetween(ranked.size() / 2 - perRole, ranked.size() / 2);
      assertThat(refs(sheet, "bottom")).containsExactlyElementsOf(keys(ranked, ranked.size() - perRole, ranked.size()));
      for (Element figure : sheet.select("figure.thumb")) {
        Candidate entry = ranked.get(Integer.parseInt(figure.attr("data-rank")));
        assertThat(figure.attr("data-ref")).isEqualTo(entry.key());
        boolean wrong = entry.hiddenLabel() != cls;
        assertThat(figure.attr("data-wrong")).isEqualTo(Boolean.toString(wrong));
        assertThat(figure.hasClass("wrong")).isEqualTo(wrong);
        assertThat(figure.select(".truth").text()).isEqualTo(wrong ? "is class " + entry.hiddenLabel() : "");
        wrongShown += wrong ? 1 : 0;
        // the thumbnail is this entry's image: its grey level encodes the entry's ordinal
        String src = figure.selectFirst("img").attr("src");
        assertThat(src).startsWith("data:image/png;base64,");
        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(
            Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1))));
        assertThat(thumbnail.getRaster().getSample(0, 0, 0)).isEqualTo(SyntheticRun.greyOf(entry.ordinal()));
      }
    }
    assertThat(wrongShown).isPositive();
  }

  @Test
  void thePageIsSelfContainedAndShowsTimelineAccuracyAndCurves() throws Exception {
    SyntheticRun synthetic = new SyntheticRun(dir, 3, 12, 4, 0);
    Document page = Jsoup.parse(new String(RunReportPage.build(synthetic.run(), CLOCK, Set.of()), StandardCharsets.UTF_8));

    assertThat(page.select("script, link, iframe, object, embed")).isEmpty();
    for (Element image : page.select("[src]")) {
      assertThat(image.attr("src")).startsWith("data:image/");
    }
    assertThat(page.select("#accuracy-table td[data-field=teacher]").text()).isEqualTo("80.00%");
    assertThat(page.select("#accuracy-table td[data-field=final]").text()).isEqualTo("83.00%");
    assertThat(page.select("table.timeline tr[data-step]").eachAttr("data-step")).containsExactly("teacher", "infer");
    Element infer = page.selectFirst("table.timeline tr[data-step=infer]");
    assertThat(infer.text()).contains("2 of 2 (9 s to 14 s each)").contains("14 s");
    assertThat(page.select("figure.curve").eachAttr("data-step")).containsExactly("teacher");
    assertThat(page.select("figure.curve").attr("data-epochs")).isEqualTo("3");
  }

  @Test
  void theTimelineMarksAStepDoneByItsSuccessNotByItsTiming() throws Exception {
    SyntheticRun synthetic = new SyntheticRun(dir, 3, 12, 4, 0);
    dev.semisup.api.plan.PlannedStep teacher = synthetic.plan.require("teacher");
    dev.semisup.api.plan.PlannedStep select = synthetic.plan.require("select");
    dev.semisup.api.plan.PlannedStep student = synthetic.plan.require("student");
    Instant t0 = Instant.parse("2026-11-30T01:00:00Z");
    // The teacher finished (its _SUCCESS) but the page was built before its timing got its end.
    synthetic.store.put(synthetic.layout.timing(teacher, 0), SyntheticRun.JSON.writeValueAsBytes(
        new dev.semisup.api.report.StepTiming("teacher", 0, 1, t0.toString(), null, 1)));
    synthetic.store.putString(synthetic.layout.success(teacher), "");
    // Select finished and wrote no timing at all.
    synthetic.store.putString(synthetic.layout.success(select), "");
    // The student has started and has no _SUCCESS: it is the one running.
    synthetic.store.put(synthetic.layout.timing(student, 0), SyntheticRun.JSON.writeValueAsBytes(
        new dev.semisup.api.report.StepTiming("student", 0, 1, t0.plusSeconds(80).toString(), null, 1)));

    Document page = Jsoup.parse(new String(RunReportPage.build(synthetic.run(), CLOCK, Set.of()), StandardCharsets.UTF_8));

    Element teacherRow = page.selectFirst("table.timeline tr[data-step=teacher]");
    assertThat(teacherRow.text()).doesNotContain("running").contains("done (end not recorded)");
    assertThat(teacherRow.select(".bar.running")).isEmpty();
    assertThat(page.selectFirst("table.timeline tr[data-step=select]").text()).contains("done (times not recorded)");
    assertThat(page.selectFirst("table.timeline tr[data-step=student]").text()).contains("running when this page was built");
  }

  @Test
  void aThousandClassPageStaysWithinFiveMegabytes() throws Exception {
    // Colour noise is the worst case for the thumbnails' size; every class has 6 entries.
    SyntheticRun synthetic = new SyntheticRun(dir, 1000, 6, 3, 96);
    byte[] html = RunReportPage.build(synthetic.run(), CLOCK, Set.of());
    assertThat(html.length).isLessThanOrEqualTo(5 * 1024 * 1024);

    Document page = Jsoup.parse(new String(html, StandardCharsets.UTF_8));
    assertThat(page.select("#class-table tr[data-class]")).hasSize(1000);
    List<Element> sheets = page.select("section.sheet");
    assertThat(sheets).hasSize(ContactSheets.SHEET_CLASSES);
    assertThat(page.select("figure.thumb img")).hasSize(ContactSheets.SHEET_CLASSES * 3 * ContactSheets.perRole(1000));
  }

  @Test
  void chosenClassesGetTheSheets() throws Exception {
    SyntheticRun synthetic = new SyntheticRun(dir, 6, 10, 0, 0);
    Document page = Jsoup.parse(new String(RunReportPage.build(synthetic.run(), CLOCK, Set.of(4, 1)),
        StandardCharsets.UTF_8));
    assertThat(page.select("section.sheet").eachAttr("data-class")).containsExactly("1", "4");
    assertThat(page.select("#class-table tr[data-class]")).hasSize(6);
    assertThat(page.select("figure.thumb[data-wrong=true]")).isEmpty();
  }

  private static List<String> refs(Element sheet, String role) {
    return sheet.select("div.role[data-role=" + role + "] figure.thumb").eachAttr("data-ref");
  }

  private static List<String> keys(List<Candidate> ranked, int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> ranked.get(i).key()).collect(Collectors.toCollection(ArrayList::new));
  }
}
