package dev.semisup.worker.progress;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.report.StageProgress;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a step's progress.json at most every few seconds (the operator polls it about every
 * 10 s) and tells the terminal listener about every update. A failed progress write is logged,
 * never fatal: progress is a view, the artifacts are the truth.
 */
public final class ProgressReporter {

  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectStore store;
  private final String key;
  private final String step;
  private final int shard;
  private final int shards;
  private final ProgressListener listener;
  private final Clock clock;
  private final Duration interval;
  private Long skippedImages;
  private Instant lastWrite = Instant.MIN;
  private boolean warned;

  public ProgressReporter(ObjectStore store, String key, String step, int shard, int shards,
      ProgressListener listener, Clock clock, Duration interval) {
    this.store = store;
    this.key = key;
    this.step = step;
    this.shard = shard;
    this.shards = shards;
    this.listener = listener;
    this.clock = clock;
    this.interval = interval;
  }

  /**
   * The pool images this step has skipped so far (corrupt, or beyond the pixel budget); every
   * later write carries the count, so progress.json shows it while the step runs and after.
   */
  public void skippedImages(long skipped) {
    this.skippedImages = skipped;
  }

  /** Training progress: epoch e of n, batch b of m. */
  public void training(int epoch, int epochs, long batch, long batches, double imagesPerSecond, double loss, Long etaSeconds) {
    report(new StageProgress(step, shard, shards, epoch, epochs, batch, batches, imagesPerSecond,
        Double.isFinite(loss) ? loss : null, etaSeconds, clock.instant().toString(), skippedImages), false);
  }

  /** Streaming progress: images done of total (0 when the total is unknown). */
  public void images(long done, long total, double imagesPerSecond, Long etaSeconds) {
    report(new StageProgress(step, shard, shards, 0, 0, done, total, imagesPerSecond, null, etaSeconds,
        clock.instant().toString(), skippedImages), false);
  }

  /** Writes the last state now, whatever the interval. */
  public void finish(long done, long total, double imagesPerSecond) {
    report(new StageProgress(step, shard, shards, 0, 0, done, total, imagesPerSecond, null, 0L,
        clock.instant().toString(), skippedImages), true);
    listener.onStepEnd(step);
  }

  private void report(StageProgress progress, boolean force) {
    listener.onProgress(progress);
    Instant now = clock.instant();
    if (!force && Duration.between(lastWrite, now).compareTo(interval) < 0) {
      return;
    }
    lastWrite = now;
    try {
      store.put(key, JSON.writeValueAsBytes(progress));
    } catch (IOException e) {
      if (!warned) {
        LOG.warn("cannot write progress to {}: {}", store.uri(key), e.getMessage());
        warned = true;
      }
    }
  }
}
