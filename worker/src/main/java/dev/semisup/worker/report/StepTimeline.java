package dev.semisup.worker.report;

import static dev.semisup.worker.report.Html.clockTime;
import static dev.semisup.worker.report.Html.duration;
import static dev.semisup.worker.report.Html.escape;
import static dev.semisup.worker.report.Html.second;
import static dev.semisup.worker.report.Html.seconds;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.report.StepTiming;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The report's timeline: each step of the plan that wrote its timing.json (one per shard of a
 * sharded step) as a row with its start, end, duration and shards, and a bar placed on the run's
 * whole span. A step still running (the one writing the report) ends, for the page, now.
 */
final class StepTimeline {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RunReportPage.Run run;
  private final Instant now;

  StepTimeline(RunReportPage.Run run, Instant now) {
    this.run = run;
    this.now = now;
  }

  /** One step on the timeline: the span from its first shard's start to its last shard's end. */
  private record Span(PlannedStep step, Instant start, Instant end, boolean running, int shardsTimed,
      double shortestShard, double longestShard, int attempts) {
  }

  /** Appends the timeline section. */
  void appendTo(StringBuilder html) throws IOException {
    List<Span> spans = new ArrayList<>();
    for (PlannedStep step : run.plan().steps()) {
      Span span = span(step);
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
          .append(span.running() ? "running when this page was built" : clockTime(span.end())).append("</td><td class=\"time\">")
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
  private Span span(PlannedStep step) throws IOException {
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
}
