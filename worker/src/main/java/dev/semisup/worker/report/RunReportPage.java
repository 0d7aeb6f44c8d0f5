package dev.semisup.worker.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StepTiming;
import dev.semisup.api.report.TrainingHistory;
import dev.semisup.worker.plot.ClassBars;
import dev.semisup.worker.plot.TrainingCurves;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.IndexSummary;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * report.html: one self-contained page about a run (inline CSS, images as data URIs, no script),
 * built from what its steps left in the store: the timeline of the steps (timing.json), the
 * accuracy table (report.json), training curves (history.json), the last round's sampled index
 * per class (summary.json) and contact sheets of its highest-, middle- and lowest-scored entries
 * (the index parts and the packed shards, both streamed).
 *
 * <p>The page stays small for 1,000 classes: every class has its row in the per-class table, but
 * at most {@link #SHEET_CLASSES} classes get a contact sheet (the chosen ones, else those with the
 * lowest pseudo-label precision, else the first), with fewer images per role as classes grow, and
 * thumbnails of at most {@link Thumbnails#MAX_SIDE} pixels.
 */
public final class RunReportPage {

  /** Most classes with a contact sheet on one page. */
  public static final int SHEET_CLASSES = 100;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHART_WIDTH = 900;
  private static final int CHART_HEIGHT = 320;

  /** What the page is about and where its parts are. */
  public record Run(String name, ObjectStore store, ObjectLayout layout, StagePlan plan) {
  }

  private final Run run;
  private final Clock clock;
  private final Set<Integer> chosenClasses;
  private final StringBuilder html = new StringBuilder(1 << 16);

  private RunReportPage(Run run, Clock clock, Set<Integer> chosenClasses) {
    this.run = run;
    this.clock = clock;
    this.chosenClasses = chosenClasses;
  }

  /** Builds the page and writes it to {@code report.html} under the run's prefix; returns its URI. */
  public static String write(Run run, Clock clock, Set<Integer> chosenClasses) throws IOException {
    byte[] page = build(run, clock, chosenClasses);
    String key = run.layout().reportPage();
    run.store().put(key, page);
    return run.store().uri(key);
  }

  /**
   * The page as UTF-8 bytes.
   *
   * @param chosenClasses classes that get a contact sheet; empty to let the page choose
   */
  public static byte[] build(Run run, Clock clock, Set<Integer> chosenClasses) throws IOException {
    RunReportPage page = new RunReportPage(run, clock, Set.copyOf(chosenClasses));
    page.render();
    return page.html.toString().getBytes(StandardCharsets.UTF_8);
  }

  private void render() throws IOException {
    Instant now = Instant.now(clock);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>semisup run ").append(escape(run.name())).append("</title><style>").append(STYLE)
        .append("</style></head><body>\n");
    html.append("<h1>Run <code>").append(escape(run.name())).append("</code></h1>\n<p class=\"meta\">")
        .append("Artifacts in <code>").append(escape(run.store().uri(run.layout().prefix()))).append("</code>")
        .append(" &middot; report built ").append(second(now)).append("</p>\n");
    accuracy();
    timeline(now);
    curves();
    PlannedStep select = lastOf(Stage.SELECT);
    if (select != null && run.store().exists(run.layout().indexSummary(select))) {
      IndexSummary summary = JSON.readValue(run.store().get(run.layout().indexSummary(select)), IndexSummary.class);
      contactSheets(select, summary);
      perClass(select, summary);
    } else {
      html.append("<h2>Sampled index</h2><p class=\"missing\">No sampled index yet (the select step has not run).</p>\n");
    }
    html.append("</body></html>\n");
  }

  // ---- accuracy ---------------------------------------------------------------------------------

  private void accuracy() throws IOException {
    html.append("<h2 id=\"accuracy\">Accuracy</h2>\n");
    String key = run.layout().report();
    if (!run.store().exists(key)) {
      html.append("<p class=\"missing\">No report.json yet: the run has not finished its last fine-tune.</p>\n");
      return;
    }
    RunReport report = JSON.readValue(run.store().get(key), RunReport.class);
    html.append("<table class=\"numbers\" id=\"accuracy-table\"><thead><tr><th>round</th>")
        .append("<th>teacher (labels only)</th><th>student, pre-trained</th><th>student, fine-tuned (final)</th>")
        .append("<th>gain over teacher</th><th>sampled images</th><th>pseudo-label precision</th>")
        .append("<th>pool images skipped</th></tr></thead><tbody>\n");
    for (RunReport.Round round : report.rounds()) {
      String gain = round.teacherAccuracy() == null || round.finalAccuracy() == null ? "-"
          : String.format(Locale.ROOT, "%+.2f points", 100 * (round.finalAccuracy() - round.teacherAccuracy()));
      html.append("<tr data-round=\"").append(round.round()).append("\"><td>").append(round.round()).append("</td>")
          .append(cell("teacher", percent(round.teacherAccuracy())))
          .append(cell("student", percent(round.studentAccuracy())))
          .append(cell("final", percent(round.finalAccuracy())))
          .append("<td>").append(gain).append("</td>")
          .append(cell("sampled", Long.toString(round.sampledImages())))
          .append(cell("precision", percent(round.pseudoLabelPrecision())))
          .append(cell("skipped", round.skippedImages() == null ? "-" : Long.toString(round.skippedImages())))
          .append("</tr>\n");
    }
    html.append("</tbody></table>\n");
  }

  private static String cell(String field, String value) {
    return "<td data-field=\"" + field + "\">" + escape(value) + "</td>";
  }

  // ---- timeline ---------------------------------------------------------------------------------

  /** One step on the timeline: the span from its first shard's start to its last shard's end. */
  private record Span(PlannedStep step, Instant start, Instant end, boolean running, int shardsTimed,
      double shortestShard, double longestShard, int attempts) {
  }

  private void timeline(Instant now) throws IOException {
    List<Span> spans = new ArrayList<>();
    for (PlannedStep step : run.plan().steps()) {
      Span span = span(step, now);
      if (span != null) {
        spans.add(span);
      }
    }
    html.append("<h2 id=\"timeline\">Timeline</h2>\n");
    if (spans.isEmpty()) {
      html.append("<p class=\"missing\">No step recorded its times (timing.json) yet.</p>\n");
      return;
    }
    Instant first = spans.stream().map(Span::start).min(Comparator.naturalOrder()).orElseThrow();
    Instant last = spans.stream().map(Span::end).max(Comparator.naturalOrder()).orElseThrow();
    double total = Math.max(1e-3, seconds(first, last));
    html.append("<p class=\"meta\">").append(second(first)).append(" to ").append(second(last))
        .append(" (UTC): ").append(duration(total)).append(" in all.</p>\n");
    html.append("<table class=\"timeline\"><thead><tr><th>step</th><th>start</th><th>end</th><th>duration</th>")
        .append("<th>shards</th><th class=\"lane\"></th></tr></thead><tbody>\n");
    for (Span span : spans) {
      double from = 100 * seconds(first, span.start()) / total;
      double width = Math.max(0.4, 100 * seconds(span.start(), span.end()) / total);
      String shards = span.step().shards() == 1 ? "1" : span.shardsTimed() + " of " + span.step().shards()
          + " (" + duration(span.shortestShard()) + " to " + duration(span.longestShard()) + " each)";
      html.append("<tr data-step=\"").append(escape(span.step().id())).append("\"><td>")
          .append(escape(span.step().id())).append(span.attempts() > span.shardsTimed() ? " <span class=\"note\">("
              + (span.attempts() - span.shardsTimed()) + " restart" + (span.attempts() - span.shardsTimed() > 1 ? "s" : "")
              + ")</span>" : "")
          .append("</td><td class=\"time\">").append(clockTime(span.start())).append("</td><td class=\"time\">")
          .append(span.running() ? "running (now)" : clockTime(span.end())).append("</td><td class=\"time\">")
          .append(duration(seconds(span.start(), span.end()))).append("</td><td>").append(escape(shards))
          .append("</td><td class=\"lane\"><div class=\"bar ").append(span.step().stage().wireName())
          .append(span.running() ? " running" : "").append("\" style=\"margin-left:")
          .append(String.format(Locale.ROOT, "%.2f", Math.min(from, 99.6))).append("%;width:")
          .append(String.format(Locale.ROOT, "%.2f", Math.min(width, 100 - Math.min(from, 99.6))))
          .append("%\"></div></td></tr>\n");
    }
    html.append("</tbody></table>\n");
  }

  /** The step's span from its shards' timing files; null when none was written. */
  private Span span(PlannedStep step, Instant now) throws IOException {
    Instant start = null;
    Instant end = null;
    boolean running = false;
    int timed = 0;
    int attempts = 0;
    double shortest = Double.MAX_VALUE;
    double longest = 0;
    for (int shard = 0; shard < step.shards(); shard++) {
      String key = run.layout().timing(step, shard);
      if (!run.store().exists(key)) {
        continue;
      }
      StepTiming timing = JSON.readValue(run.store().get(key), StepTiming.class);
      Instant started = Instant.parse(timing.startedAt());
      // The step writing this report has not finished yet: it ends, for the page, now.
      Instant finished = timing.finishedAt() == null ? now : Instant.parse(timing.finishedAt());
      running |= timing.finishedAt() == null;
      start = start == null || started.isBefore(start) ? started : start;
      end = end == null || finished.isAfter(end) ? finished : end;
      double took = seconds(started, finished);
      shortest = Math.min(shortest, took);
      longest = Math.max(longest, took);
      timed++;
      attempts += timing.attempts();
    }
    return timed == 0 ? null : new Span(step, start, end, running, timed, shortest, longest, attempts);
  }

  // ---- training curves --------------------------------------------------------------------------

  private void curves() throws IOException {
    html.append("<h2 id=\"curves\">Training curves</h2>\n<div class=\"curves\">\n");
    int drawn = 0;
    for (PlannedStep step : run.plan().steps()) {
      if (!step.stage().trains() || !run.store().exists(run.layout().history(step))) {
        continue;
      }
      TrainingHistory history = JSON.readValue(run.store().get(run.layout().history(step)), TrainingHistory.class);
      if (history.epochs().isEmpty()) {
        continue;
      }
      html.append("<figure class=\"curve\" data-step=\"").append(escape(step.id())).append("\" data-epochs=\"")
          .append(history.epochs().size()).append("\">")
          .append(image(TrainingCurves.png(history, 380, 260), "image/png", "training curves of " + step.id()))
          .append("<figcaption>").append(escape(step.id())).append(": ").append(history.epochs().size())
          .append(" epochs, final validation accuracy ")
          .append(percent(history.epochs().get(history.epochs().size() - 1).validationAccuracy()))
          .append("</figcaption></figure>\n");
      drawn++;
    }
    html.append("</div>\n");
    if (drawn == 0) {
      html.append("<p class=\"missing\">No training step recorded its epochs (history.json) yet.</p>\n");
    }
  }

  // ---- per class --------------------------------------------------------------------------------

  private void perClass(PlannedStep select, IndexSummary summary) throws IOException {
    int classes = summary.classes();
    List<String> names = IntStream.range(0, classes).mapToObj(RunReportPage::className).toList();
    int[] counts = counts(summary);
    Double[] precision = new Double[classes];
    double[] p10 = new double[classes];
    double[] median = new double[classes];
    double[] p90 = new double[classes];
    for (IndexSummary.ClassSummary c : summary.perClass()) {
      precision[c.pseudoLabel()] = c.pseudoLabelPrecision();
      p10[c.pseudoLabel()] = c.p10Score() == null ? Double.NaN : c.p10Score();
      median[c.pseudoLabel()] = c.medianScore() == null ? Double.NaN : c.medianScore();
      p90[c.pseudoLabel()] = c.p90Score() == null ? Double.NaN : c.p90Score();
    }
    html.append("<h2 id=\"classes\">Sampled index of ").append(escape(select.id())).append(" per class</h2>\n")
        .append("<p class=\"meta\">").append(summary.entries()).append(" entries of ").append(summary.distinctImages())
        .append(" distinct images (").append(summary.imagesUnderSeveralClasses()).append(" under several classes)")
        .append(summary.pseudoLabelPrecision() == null ? ""
            : "; pseudo-label precision " + percent(summary.pseudoLabelPrecision()) + " against the pool's hidden labels")
        .append(".</p>\n<div class=\"charts\">")
        .append(image(ClassBars.entries(names, counts, CHART_WIDTH, CHART_HEIGHT), "image/png", "index entries per class"));
    if (summary.pseudoLabelPrecision() != null) {
      html.append(image(ClassBars.precision(names, precision, CHART_WIDTH, CHART_HEIGHT), "image/png",
          "pseudo-label precision per class"));
    }
    html.append(image(ClassBars.scores(names, p10, median, p90, CHART_WIDTH, CHART_HEIGHT), "image/png",
        "score distribution per class")).append("</div>\n");
    html.append("<details").append(classes <= 100 ? " open" : "").append("><summary>All ").append(classes)
        .append(" classes</summary><table class=\"numbers\" id=\"class-table\"><thead><tr><th>class</th>")
        .append("<th>entries</th><th>precision</th><th>min</th><th>p10</th><th>median</th><th>p90</th><th>max</th>")
        .append("</tr></thead><tbody>\n");
    for (IndexSummary.ClassSummary c : summary.perClass()) {
      html.append("<tr data-class=\"").append(c.pseudoLabel()).append("\"><td>").append(escape(className(c.pseudoLabel())))
          .append("</td><td>").append(c.count()).append("</td><td>").append(percent(c.pseudoLabelPrecision()))
          .append("</td><td>").append(score(c.minScore())).append("</td><td>").append(score(c.p10Score()))
          .append("</td><td>").append(score(c.medianScore())).append("</td><td>").append(score(c.p90Score()))
          .append("</td><td>").append(score(c.maxScore())).append("</td></tr>\n");
    }
    html.append("</tbody></table></details>\n");
  }

  // ---- contact sheets ---------------------------------------------------------------------------

  private void contactSheets(PlannedStep select, IndexSummary summary) throws IOException {
    int classes = summary.classes();
    int[] counts = counts(summary);
    boolean[] chosen = chooseSheets(summary);
    int perRole = perRole(classes);
    ContactSheetPicks picks = new ContactSheetPicks(counts, chosen, perRole);
    for (String part : run.store().list(run.layout().folder(select) + "/part-")) {
      try (InputStream in = run.store().open(part);
           SampledIndex.Reader reader = new SampledIndex.Reader(in, run.store().uri(part))) {
        for (Candidate entry = reader.next(); entry != null; entry = reader.next()) {
          picks.accept(entry);
        }
      }
    }
    String mismatch = picks.mismatch();
    if (mismatch != null) {
      throw new IOException(run.store().uri(run.layout().indexSummary(select)) + " does not describe the index: "
          + mismatch);
    }
    Set<String> wanted = new HashSet<>();
    for (int cls = 0; cls < classes; cls++) {
      for (ContactSheetPicks.Pick pick : picks.of(cls)) {
        wanted.add(Thumbnails.entryKey(cls, pick.entry().key()));
      }
    }
    PlannedStep pack = run.plan().sibling(select, Stage.PACK);
    Map<String, String> thumbnails = Thumbnails.of(run.store(), run.layout().folder(pack), wanted);

    int sheets = (int) IntStream.range(0, classes).filter(c -> chosen[c]).count();
    html.append("<h2 id=\"sheets\">Contact sheets</h2>\n<p class=\"meta\">For ")
        .append(sheets == classes ? "every class" : sheets + " of " + classes + " classes (" + sheetChoice(summary) + ")")
        .append(": its ").append(perRole).append(" highest-scored, ").append(perRole).append(" middle and ")
        .append(perRole).append(" lowest-scored sampled images with the teacher's score")
        .append(summary.pseudoLabelPrecision() == null ? "" : "; a red frame marks a wrong pseudo-label, with the"
            + " image's true class")
        .append(".</p>\n");
    for (int cls = 0; cls < classes; cls++) {
      if (!chosen[cls]) {
        continue;
      }
      html.append("<section class=\"sheet\" id=\"class-").append(cls).append("\" data-class=\"").append(cls)
          .append("\"><h3>").append(escape(className(cls))).append(" <span class=\"note\">").append(counts[cls])
          .append(" entries</span></h3>\n");
      if (counts[cls] == 0) {
        html.append("<p class=\"missing\">No image was sampled for this class.</p></section>\n");
        continue;
      }
      for (ContactSheetPicks.Role role : ContactSheetPicks.Role.values()) {
        List<ContactSheetPicks.Pick> ofRole = picks.of(cls).stream().filter(p -> p.role() == role).toList();
        if (ofRole.isEmpty()) {
          continue;
        }
        html.append("<div class=\"role\" data-role=\"").append(role.word()).append("\"><span class=\"caption\">")
            .append(escape(role.caption())).append("</span>");
        for (ContactSheetPicks.Pick pick : ofRole) {
          thumbnail(cls, pick, thumbnails.get(Thumbnails.entryKey(cls, pick.entry().key())));
        }
        html.append("</div>\n");
      }
      html.append("</section>\n");
    }
  }

  private void thumbnail(int cls, ContactSheetPicks.Pick pick, String dataUri) {
    Candidate entry = pick.entry();
    boolean wrong = entry.hasHiddenLabel() && entry.hiddenLabel() != cls;
    html.append("<figure class=\"thumb").append(wrong ? " wrong" : "").append("\" data-role=\"")
        .append(pick.role().word()).append("\" data-rank=\"").append(pick.rank()).append("\" data-ref=\"")
        .append(escape(entry.key())).append("\" data-score=\"").append(entry.score()).append("\"");
    if (entry.hasHiddenLabel()) {
      html.append(" data-hidden-label=\"").append(entry.hiddenLabel()).append("\"");
    }
    html.append(" data-wrong=\"").append(wrong).append("\">");
    if (dataUri == null) {
      html.append("<div class=\"absent\" title=\"not packed (its image no longer decodes)\">?</div>");
    } else {
      html.append("<img src=\"").append(dataUri).append("\" alt=\"").append(escape(entry.key())).append("\">");
    }
    html.append("<figcaption>#").append(pick.rank() + 1).append(" &middot; ")
        .append(String.format(Locale.ROOT, "%.3f", entry.score()));
    if (wrong) {
      html.append("<br><span class=\"truth\">is ").append(escape(className(entry.hiddenLabel()))).append("</span>");
    }
    html.append("</figcaption></figure>");
  }

  /** The classes that get a sheet: the chosen ones; else all up to the limit; else the least precise, else the first. */
  private boolean[] chooseSheets(IndexSummary summary) {
    int classes = summary.classes();
    boolean[] chosen = new boolean[classes];
    if (!chosenClasses.isEmpty()) {
      for (int cls : chosenClasses) {
        if (cls >= 0 && cls < classes) {
          chosen[cls] = true;
        }
      }
      return chosen;
    }
    Integer[] order = IntStream.range(0, classes).boxed().toArray(Integer[]::new);
    if (classes > SHEET_CLASSES && summary.pseudoLabelPrecision() != null) {
      Double[] precision = new Double[classes];
      for (IndexSummary.ClassSummary c : summary.perClass()) {
        precision[c.pseudoLabel()] = c.pseudoLabelPrecision();
      }
      Arrays.sort(order, Comparator.comparingDouble((Integer c) -> precision[c] == null ? 2.0 : precision[c])
          .thenComparingInt(c -> c));
    }
    for (int i = 0; i < Math.min(classes, SHEET_CLASSES); i++) {
      chosen[order[i]] = true;
    }
    return chosen;
  }

  private String sheetChoice(IndexSummary summary) {
    if (!chosenClasses.isEmpty()) {
      return "chosen with semisup report --classes";
    }
    return (summary.pseudoLabelPrecision() != null ? "those with the lowest pseudo-label precision" : "the first "
        + SHEET_CLASSES) + "; semisup report --classes picks others";
  }

  /** Images per role: fewer as classes grow, so a 1,000-class page stays within a few megabytes. */
  static int perRole(int classes) {
    return classes <= 20 ? 4 : classes <= SHEET_CLASSES ? 3 : 2;
  }

  private static int[] counts(IndexSummary summary) {
    int[] counts = new int[summary.classes()];
    for (IndexSummary.ClassSummary c : summary.perClass()) {
      counts[c.pseudoLabel()] = c.count();
    }
    return counts;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private PlannedStep lastOf(Stage stage) {
    PlannedStep found = null;
    for (PlannedStep step : run.plan().steps()) {
      if (step.stage() == stage) {
        found = step;
      }
    }
    return found;
  }

  static String className(int cls) {
    return "class " + cls;
  }

  private static String image(byte[] bytes, String type, String alt) {
    return "<img class=\"chart\" src=\"data:" + type + ";base64," + Base64.getEncoder().encodeToString(bytes)
        + "\" alt=\"" + escape(alt) + "\">";
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  /** Time of day to the second, UTC: the timeline's date is in its heading. */
  private static String clockTime(Instant instant) {
    return escape(DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC).format(instant));
  }

  /** An instant to the second, for headings. */
  private static String second(Instant instant) {
    return escape(instant.truncatedTo(ChronoUnit.SECONDS).toString());
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return (s / 60) + " min " + (s % 60) + " s";
    }
    return (s / 3600) + " h " + (s % 3600 / 60) + " min";
  }

  private static String percent(Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * value);
  }

  private static String score(Float value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.3f", value);
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static final String STYLE = """
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;\
      padding:0 16px;color:#1b1f23;background:#fff}
      h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #e1e4e8;\
      padding-bottom:4px}h3{font-size:15px;margin:14px 0 6px}
      code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
      .meta{color:#586069;margin:4px 0 10px}.missing{color:#a04000}.note{color:#6a737d;font-weight:normal;font-size:12px}
      table{border-collapse:collapse;margin:6px 0}th,td{padding:4px 10px;border-bottom:1px solid #eaecef;text-align:left}
      th{background:#f6f8fa;font-weight:600}table.numbers td{font-variant-numeric:tabular-nums}
      table.timeline{width:100%}td.lane{width:45%;padding:4px 0}.bar{height:14px;border-radius:3px;background:#6a737d;\
      min-width:3px}.bar.teacher{background:#1f77b4}.bar.infer{background:#ff7f0e}.bar.select{background:#9467bd}\
      .bar.pack{background:#8c564b}.bar.student{background:#2ca02c}.bar.finetune{background:#d62728}\
      .bar.running{opacity:.55}
      td.time{white-space:nowrap}
      .curves,.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}img.chart{max-width:100%;\
      border:1px solid #eaecef}
      .curve figcaption{font-size:12px;color:#586069}
      details summary{cursor:pointer;margin:8px 0}
      .sheet{border-top:1px solid #eaecef;padding:4px 0 8px}.role{display:flex;flex-wrap:wrap;align-items:flex-start;\
      gap:6px;margin:4px 0}.role .caption{width:120px;color:#586069;font-size:12px;padding-top:20px}
      .thumb{width:76px;text-align:center;font-size:11px;color:#444}.thumb img,.thumb .absent{width:64px;height:64px;\
      object-fit:contain;image-rendering:pixelated;border:3px solid #e1e4e8;border-radius:3px;background:#000}
      .thumb .absent{display:inline-block;line-height:64px;color:#fff}
      .thumb.wrong img{border-color:#d62728}.truth{color:#d62728;font-weight:600}
      """;
}
