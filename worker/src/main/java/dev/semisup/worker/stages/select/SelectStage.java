package dev.semisup.worker.stages.select;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.sampling.CandidateShardReader;
import dev.semisup.worker.sampling.CandidateShardWriter;
import dev.semisup.worker.sampling.GlobalThreshold;
import dev.semisup.worker.sampling.ImageTotals;
import dev.semisup.worker.sampling.IndexSummary;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.sampling.ShardMerge;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The select stage: merges every shard's per-class candidates into the global top-K per class,
 * the sampled dataset index, and summarises it in the same pass. The shards are read through
 * their class index, by ranged reads of the store that fetch only the entries the merge takes (and
 * one read's tail per shard and class): the bytes moved track the index, not the number of shards
 * (see {@link ShardMerge}); they are logged beside the bytes of the candidates kept. The images
 * each infer shard scored and skipped come from the headers read for the index (see {@link InferTotals}).
 * {@link #CLASSES_AT_ONCE} classes are merged at the same time, so memory is that many classes'
 * merged lists and one ranged read per shard for each, plus the summary's primitive arrays (a
 * score and an ordinal per entry), never boxed lists of the whole index.
 *
 * <p>With {@code sampling.selection: unbalanced} the shards are read twice: once whole for the one
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
  /**
   * Classes merged at the same time: a class's ranged reads are small and many (a few per shard),
   * so one class at a time would spend its time waiting on the store's latency, not moving bytes.
   */
  static final int CLASSES_AT_ONCE = 16;

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
    long keptBytes;
    long readBefore = context.store().bytesRead();
    InferTotals totals;
    try {
      for (int shard = 0; shard < infer.shards(); shard++) {
        String key = context.layout().candidateShard(infer, shard);
        if (!context.store().exists(context.layout().shardSuccess(infer, shard))) {
          throw new IOException("infer shard " + shard + " has not finished: " + context.store().uri(key) + " is missing");
        }
        ObjectStore store = context.store();
        shards.add(CandidateShardReader.open((offset, length) -> store.openRange(key, offset, length), store.uri(key)));
      }
      totals = InferTotals.of(shards, context, infer);
      refuseMostlyUnreadablePool(totals, data);
      GlobalThreshold.Entry threshold = null;
      if (context.spec().getSampling().unbalanced()) {
        int size = Math.multiplyExact(context.spec().getSampling().getTopK(), classes);
        threshold = GlobalThreshold.of(shards, size).orElse(null);
      }
      GlobalThreshold.Entry admitted = threshold;
      long[] merged = new long[2]; // entries, their bytes in the shards
      context.store().write(context.layout().indexPart(step, 0), out -> {
        SampledIndex.Writer index = new SampledIndex.Writer(out, classes, topP);
        merged[0] = ShardMerge.merge(shards, admitted, candidate -> {
          index.accept(candidate);
          summary.accept(candidate);
          merged[1] += CandidateShardWriter.entryBytes(candidate);
        }, CLASSES_AT_ONCE);
        index.finish();
      });
      entries = merged[0];
      keptBytes = merged[1];
    } finally {
      for (CandidateShardReader shard : shards) {
        shard.close();
      }
    }
    IndexSummary built = summary.build().withSkippedImages(totals.skipped());
    context.store().put(context.layout().indexSummary(step), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(built));
    context.progress().finish(entries, entries, 0);
    long moved = context.store().bytesRead() - readBefore;
    LOG.info("{}: sampled index of {} entries ({} distinct images){}", step.id(), entries, built.distinctImages(),
        built.pseudoLabelPrecision() == null ? ""
            : String.format(", pseudo-label precision %.3f", built.pseudoLabelPrecision()));
    LOG.info("{}: read {} bytes from the store for {} bytes of kept candidates ({})", step.id(), moved, keptBytes,
        keptBytes == 0 ? "none kept" : String.format(Locale.ROOT, "%.3fx", (double) moved / keptBytes));
  }

  /**
   * A pool whose skipped share (corrupt, oversized or duplicate images, over every infer shard)
   * passes {@code spec.data.maxSkippedFraction} fails the run with the count, exit 2: a sampled
   * index drawn from the few readable images of a broken pool is no result.
   */
  static void refuseMostlyUnreadablePool(InferTotals infer, DataSpec data) throws BadDataException {
    Long skipped = infer.skipped();
    if (skipped == null || skipped == 0) {
      return;
    }
    double share = (double) skipped / (infer.scored() + skipped);
    double limit = data.skippedFractionLimit();
    if (share > limit) {
      throw new BadDataException(String.format(Locale.ROOT, "%,d of the pool's %,d images (%.1f%%) could not be read and"
          + " were skipped (corrupt, oversized or duplicate; the infer logs name the first ones), more than"
          + " spec.data.maxSkippedFraction allows (%s): repair or remove them from spec.data.unlabeled, or raise"
          + " spec.data.maxSkippedFraction", skipped, infer.scored() + skipped, 100 * share, limit));
    }
  }

  /**
   * Pool images the infer shards scored and skipped (corrupt, oversized or duplicate), summed
   * over the shards; skipped is null when a shard's count is unknown, since a partial sum would read
   * as a smaller loss than the real one.
   */
  record InferTotals(long scored, Long skipped) {

    /**
     * The totals from the shards' headers, which select reads anyway; a version-2 shard (written
     * by an older worker, a run resumed across an upgrade) has none, and its final progress file,
     * read once, gives them instead.
     */
    static InferTotals of(List<CandidateShardReader> shards, StageContext context, PlannedStep infer) {
      long scored = 0;
      long skipped = 0;
      for (int shard = 0; shard < shards.size(); shard++) {
        int index = shard;
        ImageTotals totals = shards.get(shard).imageTotals().orElseGet(() -> fromProgress(context, infer, index));
        if (totals == null) {
          return new InferTotals(scored, null);
        }
        scored += totals.scored();
        skipped += totals.skipped();
      }
      return new InferTotals(scored, skipped);
    }

    /** One shard's totals from its progress file; null when the file is missing, unreadable or does not say. */
    private static ImageTotals fromProgress(StageContext context, PlannedStep infer, int shard) {
      String key = context.layout().shardProgress(infer, shard);
      try {
        if (!context.store().exists(key)) {
          return null;
        }
        StageProgress progress = JSON.readValue(context.store().get(key), StageProgress.class);
        return progress.skippedImages() == null ? null : new ImageTotals(progress.done(), progress.skippedImages());
      } catch (IOException | IllegalArgumentException e) { // unreadable, or counts below zero
        LOG.warn("cannot read {} for the count of skipped pool images: {}", context.store().uri(key), e.getMessage());
        return null;
      }
    }
  }
}
