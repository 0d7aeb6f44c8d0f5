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
 * whole span. Whether a step is done is its {@code _SUCCESS} (per shard for a sharded step), not
 * its timing: a step done whose timing holds no end is shown done with its end not recorded, and
 * one done with no timing at all gets a row saying so. A step not done whose timing has no end is
 * running (the one writing the report): it ends, for the page, now.
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
  private record Span(PlannedStep step, Instant start, Instant end, boolean running, boolean endRecorded,
      int shardsTimed, double shortestShard, double longestShard, int attempts) {
  }

  /** Appends the timeline section. */
  void appendTo(StringBuilder html) throws IOException {
    List<Span> spans = new ArrayList<>();
    List<PlannedStep> doneUntimed = new ArrayList<>();
    for (PlannedStep step : run.plan().steps()) {
      Span span = span(step);
      if (span != null) {
        spans.add(span);
      } else if (run.store().exists(run.layout().success(step))) {
        doneUntimed.add(step);
      }
    }
    html.append("<h2 id=\"timeline\">Timeline</h2>\n");
    if (spans.isEmpty() && doneUntimed.isEmpty()) {
      html.append("<p class=\"missing\">No step recorded its times (timing.json) yet.</p>\n");
      return;
    }
    Instant first = spans.stream().map(Span::start).min(Comparator.naturalOrder()).orElse(now);
    Instant last = spans.stream().map(Span::end).max(Comparator.naturalOrder()).orElse(now);
    double total = Math.max(1e-3, seconds(first, last));
    if (!spans.isEmpty()) {
      html.append("<p class=\"meta\">").append(second(first)).append(" to ").append(second(last))
          .append(" (UTC): ").append(duration(total)).append(" in all.</p>\n");
    }
    html.append("<table class=\"timeline\"><thead><tr><th>step</th><th>start</th><th>end</th><th>duration</th>")
        .append("<th>shards</th><th class=\"lane\"></th></tr></thead><tbody>\n");
    for (Span span : spans) {
      double from = 100 * seconds(first, span.start()) / total;
      double width = Math.max(0.4, 100 * seconds(span.start(), span.end()) / total);
      String shards = span.step().shards() == 1 ? "1" : span.shardsTimed() + " of " + span.step().shards()
          + " (" + duration(span.shortestShard()) + " to " + duration(span.longestShard()) + " each)";
      String end = span.running() ? "running when this page was built"
          : span.endRecorded() ? clockTime(span.end()) : "done (end not recorded)";
      html.append("<tr data-step=\"").append(escape(span.step().id())).append("\"><td>")
          .append(escape(span.step().id())).append(span.attempts() > span.shardsTimed() ? " <span class=\"note\">("
              + (span.attempts() - span.shardsTimed()) + " restart" + (span.attempts() - span.shardsTimed() > 1 ? "s" : "")
              + ")</span>" : "")
          .append("</td><td class=\"time\">").append(clockTime(span.start())).append("</td><td class=\"time\">")
          .append(end).append("</td><td class=\"time\">")
          .append(span.endRecorded() || span.running() ? duration(seconds(span.start(), span.end())) : "-")
          .append("</td><td>").append(escape(shards))
          .append("</td><td class=\"lane\"><div class=\"bar ").append(span.step().stage().wireName())
          .append(span.running() ? " running" : "").append("\" style=\"margin-left:")
          .append(String.format(Locale.ROOT, "%.2f", Math.min(from, 99.6))).append("%;width:")
          .append(String.format(Locale.ROOT, "%.2f", Math.min(width, 100 - Math.min(from, 99.6))))
          .append("%\"></div></td></tr>\n");
    }
    for (PlannedStep step : doneUntimed) {
      html.append("<tr data-step=\"").append(escape(step.id())).append("\"><td>").append(escape(step.id()))
          .append("</td><td class=\"time\">-</td><td class=\"time\">done (times not recorded)</td>")
          .append("<td class=\"time\">-</td><td>").append(step.shards()).append("</td><td class=\"lane\"></td></tr>\n");
    }
    html.append("</tbody></table>\n");
  }

  /** The step's span from its shards' timing files; null when none was written. */
  private Span span(PlannedStep step) throws IOException {
    Instant start = null;
    Instant end = null;
    boolean running = false;
    boolean endRecorded = true;
    int timed = 0;
    int attempts = 0;
    double shortest = Double.MAX_VALUE;
    double longest = 0;
    boolean stepDone = run.store().exists(run.layout().success(step));
    for (int shard = 0; shard < step.shards(); shard++) {
      String key = run.layout().timing(step, shard);
      if (!run.store().exists(key)) {
        continue;
      }
      StepTiming timing = JSON.readValue(run.store().get(key), StepTiming.class);
      Instant started = Instant.parse(timing.startedAt());
      Instant finished;
      if (timing.finishedAt() != null) {
        finished = Instant.parse(timing.finishedAt());
      } else if (stepDone || step.sharded() && run.store().exists(run.layout().shardSuccess(step, shard))) {
        // Done, though its timing was not closed (the report was built in between, or the write failed).
        finished = started;
        endRecorded = false;
      } else {
        // The step writing this report has not finished yet: it ends, for the page, now.
        finished = now;
        running = true;
      }
      start = start == null || started.isBefore(start) ? started : start;
      end = end == null || finished.isAfter(end) ? finished : end;
      double took = seconds(started, finished);
      shortest = Math.min(shortest, took);
      longest = Math.max(longest, took);
      timed++;
      attempts += timing.attempts();
    }
    return timed == 0 ? null
        : new Span(step, start, end, running, endRecorded && !running, timed, shortest, longest, attempts);
  }
}
