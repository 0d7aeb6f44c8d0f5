package dev.semisup.worker.report;

import static dev.semisup.worker.report.Html.escape;
import static dev.semisup.worker.report.Html.image;
import static dev.semisup.worker.report.Html.percent;
import static dev.semisup.worker.report.Html.score;
import static dev.semisup.worker.report.Html.second;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.TrainingHistory;
import dev.semisup.worker.plot.ClassBars;
import dev.semisup.worker.plot.TrainingCurves;
import dev.semisup.worker.sampling.IndexSummary;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * report.html: one self-contained page about a run (inline CSS, images as data URIs, no script),
 * built from what its steps left in the store: the timeline of the steps ({@link StepTimeline},
 * from timing.json), the accuracy table (report.json), training curves (history.json), contact
 * sheets of the last round's sampled index ({@link ContactSheets}) and its numbers per class
 * (summary.json).
 *
 * <p>The page stays small for 1,000 classes: every class has its row in the per-class table, but
 * at most {@link ContactSheets#SHEET_CLASSES} classes get a contact sheet, with fewer images per
 * role as classes grow, and thumbnails of at most {@link Thumbnails#MAX_SIDE} pixels.
 */
public final class RunReportPage {

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
    new StepTimeline(run, now).appendTo(html);
    curves();
    PlannedStep select = latestIndex();
    if (select != null) {
      IndexSummary summary = checked(JSON.readValue(run.store().get(run.layout().indexSummary(select)), IndexSummary.class),
          run.store().uri(run.layout().indexSummary(select)));
      ClassLabels labels = ClassLabels.of(run, summary.classes());
      new ContactSheets(run, chosenClasses, labels).appendTo(html, select, summary);
      perClass(select, summary, labels);
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
          .append(finalAccuracy(history))
          .append("</figcaption></figure>\n");
      drawn++;
    }
    html.append("</div>\n");
    if (drawn == 0) {
      html.append("<p class=\"missing\">No training step recorded its epochs (history.json) yet.</p>\n");
    }
  }

  /** The last validated epoch's accuracy (the last epoch is always validated once the step is done). */
  private static String finalAccuracy(TrainingHistory history) {
    List<TrainingHistory.Epoch> epochs = history.epochs();
    for (int i = epochs.size() - 1; i >= 0; i--) {
      if (epochs.get(i).validated()) {
        return percent(epochs.get(i).validationAccuracy()) + (i == epochs.size() - 1 ? "" : " (epoch " + epochs.get(i).epoch() + ")");
      }
    }
    return "not yet measured";
  }

  // ---- per class --------------------------------------------------------------------------------

  private void perClass(PlannedStep select, IndexSummary summary, ClassLabels labels) throws IOException {
    int classes = summary.classes();
    List<String> names = IntStream.range(0, classes).mapToObj(labels::of).toList();
    int[] counts = ContactSheets.counts(summary);
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
      html.append("<tr data-class=\"").append(c.pseudoLabel()).append("\"><td>").append(escape(labels.of(c.pseudoLabel())))
          .append("</td><td>").append(c.count()).append("</td><td>").append(percent(c.pseudoLabelPrecision()))
          .append("</td><td>").append(score(c.minScore())).append("</td><td>").append(score(c.p10Score()))
          .append("</td><td>").append(score(c.medianScore())).append("</td><td>").append(score(c.p90Score()))
          .append("</td><td>").append(score(c.maxScore())).append("</td></tr>\n");
    }
    html.append("</tbody></table></details>\n");
  }

  // ---- contact sheets ---------------------------------------------------------------------------

  // ---- helpers ----------------------------------------------------------------------------------

  /**
   * The summary, once its numbers agree with each other: every array of the page is sized by its
   * class count, so a summary declaring two billion classes must not size them.
   */
  static IndexSummary checked(IndexSummary summary, String where) throws InvalidRunRecordException {
    List<IndexSummary.ClassSummary> perClass = summary.perClass() == null ? List.of() : summary.perClass();
    if (summary.classes() < 1 || summary.classes() != perClass.size()) {
      throw new InvalidRunRecordException(where + ": declares " + summary.classes() + " classes but describes "
          + perClass.size() + " (perClass); the run's folder was changed or damaged");
    }
    boolean[] seen = new boolean[summary.classes()];
    for (IndexSummary.ClassSummary c : perClass) {
      if (c == null || c.pseudoLabel() < 0 || c.pseudoLabel() >= seen.length || seen[c.pseudoLabel()]) {
        throw new InvalidRunRecordException(where + ": perClass lists class " + (c == null ? null : c.pseudoLabel())
            + ", which is not one of classes 0.." + (seen.length - 1) + " listed once");
      }
      seen[c.pseudoLabel()] = true;
    }
    return summary;
  }

  /** The select step of the latest round whose sampled index is summarised; null before any. */
  private PlannedStep latestIndex() throws IOException {
    PlannedStep found = null;
    for (PlannedStep step : run.plan().steps()) {
      if (step.stage() == Stage.SELECT && run.store().exists(run.layout().indexSummary(step))) {
        found = step;
      }
    }
    return found;
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
