package dev.semisup.worker.stages.infer;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.progress.ProgressReporter;
import dev.semisup.worker.sampling.CandidateShardWriter;
import dev.semisup.worker.sampling.PerClassTopK;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.stages.TeacherModels;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 2 of the method, one shard: the teacher scores its share of the pool (ordinal % shards);
 * each image offers itself to the heaps of its top-P classes, each heap keeping the K best. Memory
 * is O(classes x K) whatever the pool's size; the pool streams through in batches.
 */
public final class InferStage implements StageTask {

  private static final Logger LOG = LoggerFactory.getLogger(InferStage.class);
  static final int BATCH = 256;

  @Override
  public void run(StageContext context) throws IOException {
    SemiSupervisedRunSpec spec = context.spec();
    PlannedStep step = context.step();
    int shards = step.shards();
    int shard = context.shard();
    if (shard < 0 || shard >= shards) {
      throw new IllegalArgumentException("shard " + shard + " is outside 0.." + (shards - 1) + " (spec.sampling.shards)");
    }
    int classes = spec.getData().getClasses();
    int topP = spec.getSampling().getTopP();
    PerClassTopK topK = new PerClassTopK(classes, spec.getSampling().getTopK());
    Augmentation plain = Augmentation.of(Augmentation.Strength.NONE, spec.getData());
    ImageSource pool = DataSources.pool(spec.getData(), context.blobs());
    ProgressReporter progress = context.progress();

    long started = System.nanoTime();
    long scored = 0;
    long skipped;
    try (Network teacher = TeacherModels.forRound(context, step.round());
         ImageStream stream = pool.open(ordinal -> ordinal % shards == shard)) {
      int pixels = teacher.shape().pixels();
      float[] batch = new float[BATCH * pixels];
      long[] ordinals = new long[BATCH];
      String[] keys = new String[BATCH];
      Random unused = new Random(0);
      int count = 0;
      ImageRecord image;
      do {
        image = stream.next();
        if (image != null) {
          plain.apply(image, unused, batch, count * pixels);
          ordinals[count] = image.ordinal();
          keys[count++] = image.key();
        }
        if (count == BATCH || (image == null && count > 0)) {
          float[] probabilities = teacher.probabilities(batch, count);
          for (int i = 0; i < count; i++) {
            topK.offer(ordinals[i], keys[i], Arrays.copyOfRange(probabilities, i * classes, (i + 1) * classes), topP);
          }
          scored += count;
          count = 0;
          progress.skippedImages(stream.skipped());
          double seconds = (System.nanoTime() - started) / 1e9;
          progress.images(scored, 0, scored / Math.max(seconds, 1e-9), null);
        }
      } while (image != null);
      skipped = stream.skipped();
      progress.skippedImages(skipped);
    }
    context.store().write(context.layout().candidateShard(step, shard), out -> CandidateShardWriter.write(topK, topP, out));
    double seconds = (System.nanoTime() - started) / 1e9;
    progress.finish(scored, scored, scored / Math.max(seconds, 1e-9));
    LOG.info("{} shard {}/{}: scored {} pool images ({} unreadable, skipped) at {} images/s; kept {} candidates",
        step.id(), shard, shards, scored, skipped, Math.round(scored / Math.max(seconds, 1e-9)), topK.total());
  }
}
