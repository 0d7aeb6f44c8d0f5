package dev.semisup.worker.stages.infer;

import ai.djl.Device;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.v1alpha1.SamplingSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.formats.PoolManifest;
import dev.semisup.worker.data.UnlabeledPool;
import dev.semisup.worker.input.InvalidSettingException;
import dev.semisup.worker.model.Devices;
import dev.semisup.worker.model.InputNormalisation;
import dev.semisup.worker.model.ReplicatedScoring;
import dev.semisup.worker.sampling.CandidateShardWriter;
import dev.semisup.worker.sampling.ImageTotals;
import dev.semisup.worker.sampling.PerClassTopK;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.PoolTeacher;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.stages.TeacherModels;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 2 of the method, one shard: the teacher scores its share of the pool; each image offers
 * itself to the heaps of its top-P classes, each heap keeping the K best. Memory is O(classes x K)
 * whatever the pool's size; the pool streams through in batches.
 *
 * <p>The share is a slice of the pool manifest's files, balanced by bytes (see
 * {@link PoolManifest#slice}): S shards together read every pool file once. Single-file pools
 * (idx, cifar) are one unit that each shard streams, keeping image i when i mod S is its shard.
 *
 * <p>A sliced shard checkpoints its heaps and the files done every {@code sampling.checkpointFiles}
 * files or {@code sampling.checkpointMinutes} minutes, at a file boundary; a restarted pod resumes
 * after the last checkpoint. Batches never span a work unit (a tar file, or up to {@link #BATCH}
 * image files of a folder pool), so the teacher sees the same batches whether or not the shard was
 * interrupted, and the candidates are byte for byte those of an uninterrupted shard. A pod stopped
 * after writing its candidates (before its success marker) finds them and scores nothing again.
 */
public final class InferStage implements StageTask {

  private static final Logger LOG = LoggerFactory.getLogger(InferStage.class);
  static final int BATCH = 256;

  private final Supplier<List<Device>> devices;

  /** Scores on every device of the pod, one teacher replica per device. */
  public InferStage() {
    this(Devices::ofPod);
  }

  /** Scores on {@code devices} (tests: two replicas on the CPU). */
  public InferStage(List<Device> devices) {
    this(() -> devices);
  }

  private InferStage(Supplier<List<Device>> devices) {
    this.devices = devices;
  }

  @Override
  public void run(StageContext context) throws IOException {
    SemiSupervisedRunSpec spec = context.spec();
    PlannedStep step = context.step();
    int shards = step.shards();
    int shard = context.shard();
    if (shard < 0 || shard >= shards) {
      throw new InvalidSettingException("shard " + shard + " is outside 0.." + (shards - 1) + " (spec.sampling.shards)");
    }
    String checkpointKey = context.layout().inferCheckpoint(step, shard);
    String candidatesKey = context.layout().candidateShard(step, shard);
    if (context.store().exists(candidatesKey)) {
      // Written last, whole or not at all, by a shard that scored its whole share; the pod stopped
      // before its success marker. Its inputs are this run's (changed inputs delete the folder).
      if (context.store().exists(checkpointKey)) {
        context.store().delete(checkpointKey);
      }
      LOG.info("{} shard {}/{}: {} exists (the shard scored its share before it was stopped); not scoring again",
          step.id(), shard, shards, context.store().uri(candidatesKey));
      return;
    }

    SamplingSpec sampling = spec.getSampling();
    int topP = sampling.getTopP();
    // A one-unit pool (idx, cifar) needs no manifest: no shard waits for shard 0's listing.
    PoolManifest manifest = PoolManifest.partitioned(spec.getData().getUnlabeled()) ? PoolManifests.obtain(context) : null;
    PoolScoring scoring;
    try (PoolTeacher teacher = TeacherModels.forRound(context, step.round());
         ReplicatedScoring replicas = ReplicatedScoring.over(teacher.network(), devices.get(),
             InputNormalisation.of(teacher.preprocessing().mean(), teacher.preprocessing().std()), BATCH)) {
      // Read at the teacher's geometry: a TorchScript teacher's declared input may differ from the run's.
      UnlabeledPool pool = DataSources.pool(spec.getData(), teacher.geometry(), context.blobs());
      if (manifest != null && pool.sliceable(manifest)) {
        InferCheckpoint resumed = resume(context, checkpointKey, shard, shards);
        scoring = new PoolScoring(replicas, resumed == null ? heaps(spec.getData().getClasses(), sampling) : resumed.topK(),
            context.progress(), teacher.geometry(), spec.getData().getClasses(), topP);
        scoreSlice(context, pool, manifest, scoring, resumed, checkpointKey, topP);
      } else {
        scoring = new PoolScoring(replicas, heaps(spec.getData().getClasses(), sampling), context.progress(),
            teacher.geometry(), spec.getData().getClasses(), topP);
        try (ImageStream stream = pool.open(ordinal -> ordinal % shards == shard, scoring::hidden)) {
          scoring.scoreAll(stream);
          scoring.skipped += stream.skipped();
        }
      }
      scoring.awaitInFlight();
    }
    // Progress first: once the candidates exist, a restarted pod trusts them and scores nothing.
    scoring.finish();
    ImageTotals totals = new ImageTotals(scoring.scored, scoring.skipped);
    context.store().write(candidatesKey, out -> CandidateShardWriter.write(scoring.topK, topP, totals, out));
    if (context.store().exists(checkpointKey)) {
      context.store().delete(checkpointKey);
    }
    LOG.info("{} shard {}/{}: scored {} pool images ({} unreadable, skipped) at {} images/s; kept {} candidates",
        step.id(), shard, shards, scoring.scored, scoring.skipped, Math.round(scoring.rate()), scoring.topK.total());
  }

  /** The paper's top-K per class, or one global bound of K x classes for the unbalanced ablation. */
  private static PerClassTopK heaps(int classes, SamplingSpec sampling) {
    return sampling.unbalanced() ? PerClassTopK.unbalanced(classes, sampling.getTopK())
        : new PerClassTopK(classes, sampling.getTopK());
  }

  private static InferCheckpoint resume(StageContext context, String key, int shard, int shards) throws IOException {
    if (!context.store().exists(key)) {
      return null;
    }
    InferCheckpoint checkpoint;
    try (InputStream in = context.store().open(key)) {
      checkpoint = InferCheckpoint.read(in, context.store().uri(key), context.spec().getSampling().unbalanced());
    }
    if (checkpoint.shard() != shard || checkpoint.shards() != shards) {
      throw new IOException(context.store().uri(key) + " is shard " + checkpoint.shard() + " of " + checkpoint.shards()
          + ", not " + shard + " of " + shards);
    }
    LOG.info("{} shard {}: resuming after {} files ({} images scored) from {}", context.step().id(), shard,
        checkpoint.filesDone(), checkpoint.scored(), context.store().uri(key));
    return checkpoint;
  }

  private static void scoreSlice(StageContext context, UnlabeledPool pool, PoolManifest manifest, PoolScoring scoring,
      InferCheckpoint resumed, String checkpointKey, int topP) throws IOException {
    int shard = context.shard();
    int shards = context.step().shards();
    List<PoolManifest.PoolFile> slice = manifest.slice(shard, shards);
    SamplingSpec sampling = context.spec().getSampling();
    int everyFiles = sampling.checkpointFilesOrDefault();
    Duration everyTime = Duration.ofMinutes(sampling.checkpointMinutesOrDefault());
    int done = 0;
    if (resumed != null) {
      done = resumed.filesDone();
      scoring.scored = resumed.scored();
      scoring.skipped = resumed.skipped();
    }
    int sinceCheckpoint = 0;
    Instant lastCheckpoint = context.clock().instant();
    for (List<PoolManifest.PoolFile> unit : units(manifest, slice, done)) {
      try (ImageStream stream = pool.open(manifest, unit, scoring::hidden)) {
        scoring.scoreAll(stream);
        scoring.skipped += stream.skipped();
      }
      done += unit.size();
      sinceCheckpoint += unit.size();
      boolean due = sinceCheckpoint >= everyFiles
          || Duration.between(lastCheckpoint, context.clock().instant()).compareTo(everyTime) >= 0;
      if (due && done < slice.size()) {
        scoring.awaitInFlight(); // the checkpoint's heaps must hold every batch of the files done
        InferCheckpoint checkpoint = new InferCheckpoint(shard, shards, done, scoring.scored, scoring.skipped, scoring.topK);
        context.store().write(checkpointKey, out -> checkpoint.write(out, topP));
        sinceCheckpoint = 0;
        lastCheckpoint = context.clock().instant();
      }
    }
  }

  /**
   * The slice's files from {@code done} on, grouped into work units: one tar file each, or up to
   * {@link #BATCH} image files of a folder pool. A function of the slice only, so a resumed shard
   * cuts the same units (checkpoints fall on unit ends).
   */
  static List<List<PoolManifest.PoolFile>> units(PoolManifest manifest, List<PoolManifest.PoolFile> slice, int done) {
    int size = manifest.format() == dev.semisup.api.v1alpha1.DataFormat.FOLDER ? BATCH : 1;
    List<List<PoolManifest.PoolFile>> units = new ArrayList<>();
    for (int from = 0; from < slice.size(); from += size) {
      if (from >= done) {
        units.add(slice.subList(from, Math.min(slice.size(), from + size)));
      }
    }
    return units;
  }
}
