package dev.semisup.worker.stages.select;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.sampling.CandidateShardReader;
import dev.semisup.worker.sampling.GlobalThreshold;
import dev.semisup.worker.sampling.IndexSummary;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.sampling.ShardMerge;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The select stage: merges every shard's per-class candidates into the global top-K per class,
 * the sampled dataset index, and summarises it in the same pass. The shards are read one class
 * at a time through their class index, so memory is one entry per shard plus the summary's
 * primitive arrays (a score and an ordinal per entry), never boxed lists of the index.
 *
 * <p>With {@code sampling.selection: unbalanced} the shards are read twice: once for the one
 * global threshold that keeps the best topK x classes entries over all classes (a bounded heap of
 * that many primitive entries), then merged as above, keeping what the threshold admits.
 *
 * <p>Where the pool has labels of its own (a labeled set used as a pool), the entries carry them
 * from inference as hidden labels and the summary reports the pseudo-labels' precision; the pool
 * is never read here.
 */
public final class SelectStage implements StageTask {

  private static final Logger LOG = LoggerFactory.getLogger(SelectStage.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void run(StageContext context) throws IOException {
    PlannedStep step = context.step();
    PlannedStep infer = context.plan().sibling(step, Stage.INFER);
    DataSpec data = context.spec().getData();
    int classes = data.getClasses();
    int topP = context.spec().getSampling().getTopP();

    List<CandidateShardReader> shards = new ArrayList<>();
    IndexSummary.Builder summary = IndexSummary.builderFromEntries(classes);
    long entries;
    try {
      for (int shard = 0; shard < infer.shards(); shard++) {
        String key = context.layout().candidateShard(infer, shard);
        if (!context.store().exists(context.layout().shardSuccess(infer, shard))) {
          throw new IOException("infer shard " + shard + " has not finished: " + context.store().uri(key) + " is missing");
        }
        shards.add(CandidateShardReader.open(context.store().open(key), context.store().uri(key)));
      }
      refuseMostlyUnreadablePool(context, infer, data);
      GlobalThreshold.Entry threshold = null;
      if (context.spec().getSampling().unbalanced()) {
        int size = Math.multiplyExact(context.spec().getSampling().getTopK(), classes);
        threshold = GlobalThreshold.of(shards, size).orElse(null);
        for (int shard = 0; shard < shards.size(); shard++) {
          shards.get(shard).close();
          String key = context.layout().candidateShard(infer, shard);
          shards.set(shard, CandidateShardReader.open(context.store().open(key), context.store().uri(key)));
        }
      }
      GlobalThreshold.Entry admitted = threshold;
      long[] merged = new long[1];
      context.store().write(context.layout().indexPart(step, 0), out -> {
        SampledIndex.Writer index = new SampledIndex.Writer(out, classes, topP);
        merged[0] = ShardMerge.merge(shards, admitted, candidate -> {
          index.accept(candidate);
          summary.accept(candidate);
        });
        index.finish();
      });
      entries = merged[0];
    } finally {
      for (CandidateShardReader shard : shards) {
        shard.close();
      }
    }
    IndexSummary built = summary.build().withSkippedImages(skippedByInfer(context, infer));
    context.store().put(context.layout().indexSummary(step), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(built));
    context.progress().finish(entries, entries, 0);
    LOG.info("{}: sampled index of {} entries ({} distinct images){}", step.id(), entries, built.distinctImages(),
        built.pseudoLabelPrecision() == null ? ""
            : String.format(", pseudo-label precision %.3f", built.pseudoLabelPrecision()));
  }

  /**
   * A pool whose skipped share (corrupt, oversized or duplicate images, over every infer shard)
   * passes {@code spec.data.maxSkippedFraction} fails the run with the count, exit 2: a sampled
   * index drawn from the few readable images of a broken pool is no result.
   */
  static void refuseMostlyUnreadablePool(StageContext context, PlannedStep infer, DataSpec data) throws IOException {
    Long skipped = skippedByInfer(context, infer);
    long scored = 0;
    for (int shard = 0; shard < infer.shards() && skipped != null; shard++) {
      scored += JSON.readValue(context.store().get(context.layout().shardProgress(infer, shard)), StageProgress.class).done();
    }
    if (skipped == null || skipped == 0) {
      return;
    }
    double share = (double) skipped / (scored + skipped);
    double limit = data.skippedFractionLimit();
    if (share > limit) {
      throw new BadDataException(String.format(Locale.ROOT, "%,d of the pool's %,d images (%.1f%%) could not be read and"
          + " were skipped (corrupt, oversized or duplicate; the infer logs name the first ones), more than"
          + " spec.data.maxSkippedFraction allows (%s): repair or remove them from spec.data.unlabeled, or raise"
          + " spec.data.maxSkippedFraction", skipped, scored + skipped, 100 * share, limit));
    }
  }

  /**
   * Pool images the infer shards skipped (corrupt or oversized), summed from their final
   * progress files; null when a shard's file is missing or does not say, since a partial sum
   * would read as a smaller loss than the real one.
   */
  static Long skippedByInfer(StageContext context, PlannedStep infer) {
    long total = 0;
    for (int shard = 0; shard < infer.shards(); shard++) {
      String key = context.layout().shardProgress(infer, shard);
      try {
        if (!context.store().exists(key)) {
          return null;
        }
        Long skipped = JSON.readValue(context.store().get(key), StageProgress.class).skippedImages();
        if (skipped == null) {
          return null;
        }
        total += skipped;
      } catch (IOException e) {
        LOG.warn("cannot read {} for the count of skipped pool images: {}", context.store().uri(key), e.getMessage());
        return null;
      }
    }
    return total;
  }
}
