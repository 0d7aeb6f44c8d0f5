package dev.semisup.worker.stages;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.progress.ProgressListener;
import dev.semisup.worker.progress.ProgressReporter;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.ObjectStore;
import java.time.Clock;
import java.time.Duration;

/**
 * Everything one stage run needs: the spec and its plan, the step (and shard) to run, where
 * artifacts go (store + layout) and where data comes from (blobs). The same context is built by
 * a pod (from its environment) and by the local runner.
 */
public record StageContext(
    String runName,
    SemiSupervisedRunSpec spec,
    StagePlan plan,
    PlannedStep step,
    int shard,
    ObjectLayout layout,
    ObjectStore store,
    Blobs blobs,
    ProgressListener listener,
    Clock clock,
    Duration progressInterval) {

  public StageContext withStep(PlannedStep other, int otherShard) {
    return new StageContext(runName, spec, plan, other, otherShard, layout, store, blobs, listener, clock, progressInterval);
  }

  public ProgressReporter progress() {
    String key = step.sharded() ? layout.shardProgress(step, shard) : layout.progress(step);
    return new ProgressReporter(store, key, step.id(), shard, step.shards(), listener, clock, progressInterval);
  }
}
