package dev.semisup.worker.cli;

import dev.semisup.api.report.StageProgress;
import dev.semisup.worker.progress.ProgressListener;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars for `semisup run` on a terminal (stage, epoch, images/s, ETA); without a terminal
 * (CI logs) one line every few seconds instead of redrawn bars.
 */
final class TerminalProgress implements ProgressListener {

  private static final long LINE_INTERVAL_NANOS = 10_000_000_000L;

  private final PrintWriter out;
  private final boolean interactive;
  private ProgressBar bar;
  private String barStep;
  private long lastLine;

  TerminalProgress(PrintWriter out, boolean interactive) {
    this.out = out;
    this.interactive = interactive;
  }

  @Override
  public void onProgress(StageProgress progress) {
    String step = progress.shards() > 1 ? progress.step() + " " + progress.shard() + "/" + progress.shards() : progress.step();
    long max;
    long current;
    String extra;
    if (progress.epochs() > 0) {
      max = (long) progress.epochs() * progress.total();
      current = (long) (progress.epoch() - 1) * progress.total() + progress.done();
      extra = String.format("epoch %d/%d  %.0f img/s  loss %.3f", progress.epoch(), progress.epochs(),
          progress.imagesPerSecond(), progress.loss() == null ? Double.NaN : progress.loss());
    } else {
      max = progress.total() > 0 ? progress.total() : -1;
      current = progress.done();
      extra = String.format("%d images  %.0f img/s", progress.done(), progress.imagesPerSecond());
    }
    if (progress.skippedImages() != null && progress.skippedImages() > 0) {
      extra += "  " + progress.skippedImages() + " skipped";
    }
    if (!interactive) {
      long now = System.nanoTime();
      if (now - lastLine >= LINE_INTERVAL_NANOS || !step.equals(barStep)) {
        lastLine = now;
        barStep = step;
        out.printf("  %-12s %s%s%n", step, extra,
            progress.etaSeconds() == null ? "" : String.format("  ETA %ds", progress.etaSeconds()));
        out.flush();
      }
      return;
    }
    if (bar == null || !step.equals(barStep)) {
      closeBar();
      barStep = step;
      bar = new ProgressBarBuilder().setTaskName(String.format("%-10s", step)).setInitialMax(max)
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().build();
    }
    if (max > 0 && bar.getMax() != max) {
      bar.maxHint(max);
    }
    bar.stepTo(current);
    bar.setExtraMessage(extra);
  }

  @Override
  public void onStepEnd(String step) {
    closeBar();
  }

  private void closeBar() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
