package dev.semisup.api.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The content of progress.json, rewritten by a running stage every few seconds and mirrored by
 * the operator into the run's status. Infer shards each write their own (ObjectLayout.shardProgress).
 *
 * @param step          step id, e.g. teacher or infer-r2
 * @param shard         shard index (infer), else 0
 * @param shards        shard count (infer), else 1
 * @param epoch         1-based epoch now running (training), else 0
 * @param epochs        epochs planned (training), else 0
 * @param done          images (infer) or batches (training) done in the current unit of work
 * @param total         images or batches planned in it; 0 when unknown (a streamed pool)
 * @param imagesPerSecond recent throughput
 * @param loss          recent training loss, NaN-free (null when not training)
 * @param etaSeconds    estimate of the seconds left for the whole step, null when unknown
 * @param updatedAt     ISO-8601 instant of this write
 * @param skippedImages pool images skipped so far because they were corrupt or beyond the pixel
 *                      budget (null where the step reads no pool)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageProgress(
    String step,
    int shard,
    int shards,
    int epoch,
    int epochs,
    long done,
    long total,
    double imagesPerSecond,
    Double loss,
    Long etaSeconds,
    String updatedAt,
    Long skippedImages) {

  /** Progress of a step that reads no pool, so skips nothing. */
  public StageProgress(String step, int shard, int shards, int epoch, int epochs, long done, long total,
      double imagesPerSecond, Double loss, Long etaSeconds, String updatedAt) {
    this(step, shard, shards, epoch, epochs, done, total, imagesPerSecond, loss, etaSeconds, updatedAt, null);
  }

  /** A short line for status and printer columns: "epoch 3/10 42%" or "12034 images". */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    if (epochs > 0) {
      sb.append("epoch ").append(epoch).append('/').append(epochs);
    }
    if (total > 0) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(Math.min(100, Math.round(100.0 * done / total))).append('%');
    } else if (epochs == 0) {
      sb.append(done).append(" images");
    }
    return sb.toString();
  }
}
