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
 * a pod (from its environment) and by the local runner, through {@link #builder}.
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

  /** How often a step writes its progress object when the builder is not told otherwise. */
  public static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(3);

  /** A context for the run's step: the plan of its spec, no listener, the system clock. */
  public static Builder builder(String runName, SemiSupervisedRunSpec spec) {
    return new Builder(runName, spec);
  }

  public StageContext withStep(PlannedStep other, int otherShard) {
    return new StageContext(runName, spec, plan, other, otherShard, layout, store, blobs, listener, clock, progressInterval);
  }

  public ProgressReporter progress() {
    String key = step.sharded() ? layout.shardProgress(step, shard) : layout.progress(step);
    return new ProgressReporter(store, key, step.id(), shard, step.shards(), listener, clock, progressInterval);
  }

  /** Names each part of a {@link StageContext}; the step, the store and the data's blobs are required. */
  public static final class Builder {
    private final String runName;
    private final SemiSupervisedRunSpec spec;
    private StagePlan plan;
    private PlannedStep step;
    private int shard;
    private ObjectLayout layout;
    private ObjectStore store;
    private Blobs blobs;
    private ProgressListener listener = ProgressListener.NONE;
    private Clock clock = Clock.systemUTC();
    private Duration progressInterval = PROGRESS_INTERVAL;

    private Builder(String runName, SemiSupervisedRunSpec spec) {
      this.runName = runName;
      this.spec = spec;
    }

    /** The plan already made of the spec (default: {@code StagePlan.of(spec)}). */
    public Builder plan(StagePlan plan) {
      this.plan = plan;
      return this;
    }

    /** The step to run, and the shard of a sharded one (0 otherwise). */
    public Builder step(PlannedStep step, int shard) {
      this.step = step;
      this.shard = shard;
      return this;
    }

    /** Where the run's artifacts are: the layout of its prefix in the artifact store. */
    public Builder artifacts(ObjectLayout layout, ObjectStore store) {
      this.layout = layout;
      this.store = store;
      return this;
    }

    /** Where the data sources are read from. */
    public Builder data(Blobs blobs) {
      this.blobs = blobs;
      return this;
    }

    /** Who hears of progress (a terminal), and how often the progress object is written. */
    public Builder progress(ProgressListener listener, Duration interval) {
      this.listener = listener;
      this.progressInterval = interval;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public StageContext build() {
      if (step == null || layout == null || store == null || blobs == null) {
        throw new IllegalStateException("a stage context needs its step, artifacts and data");
      }
      return new StageContext(runName, spec, plan != null ? plan : StagePlan.of(spec), step, shard, layout, store, blobs,
          listener, clock, progressInterval);
    }
  }
}
