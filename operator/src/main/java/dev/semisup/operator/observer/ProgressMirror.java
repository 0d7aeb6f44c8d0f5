package dev.semisup.operator.observer;

import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.StageStatus;
import java.util.List;

/**
 * Folds the progress.json files of a running step into its StageStatus. Infer has one file per
 * shard: throughput adds up, the step's ETA is the slowest shard's, and the line counts shards the
 * Job reports done.
 */
public final class ProgressMirror {

  private ProgressMirror() {
  }

  public static void mirror(StageStatus stage, List<StageProgress> progress, boolean sharded, int shardsDone,
      int shards) {
    if (sharded) {
      stage.setShardsDone(shardsDone);
      stage.setShardsTotal(shards);
    }
    if (progress.isEmpty()) {
      if (sharded) {
        stage.setProgress(shardsDone + "/" + shards + " shards");
      }
      return;
    }
    double imagesPerSecond = 0;
    long done = 0;
    long total = 0;
    Long eta = null;
    for (StageProgress p : progress) {
      imagesPerSecond += p.imagesPerSecond();
      done += p.done();
      total += p.total();
      if (p.etaSeconds() != null) {
        eta = eta == null ? p.etaSeconds() : Math.max(eta, p.etaSeconds());
      }
    }
    stage.setImagesPerSecond(Math.round(imagesPerSecond * 10) / 10.0);
    stage.setEtaSeconds(eta);
    if (sharded) {
      String line = shardsDone + "/" + shards + " shards";
      if (total > 0) {
        line += " " + Math.min(100, Math.round(100.0 * done / total)) + "%";
      }
      stage.setProgress(line);
    } else {
      stage.setProgress(progress.get(0).describe());
    }
  }
}
