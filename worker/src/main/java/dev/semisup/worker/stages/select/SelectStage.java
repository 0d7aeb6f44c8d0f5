package dev.semisup.worker.stages.select;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.CandidateShardReader;
import dev.semisup.worker.sampling.IndexSummary;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.sampling.ShardMerge;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The select stage: merges every shard's per-class candidates into the global top-K per class,
 * the sampled dataset index, and summarises it. Where the pool's hidden labels are known (a
 * labeled set used as a pool), the summary reports the pseudo-labels' precision; those labels are
 * read here, for reporting only, never by the stages that learn.
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
    List<Long> ordinals = new ArrayList<>();
    long entries;
    String indexKey = context.layout().indexPart(step, 0);
    try {
      for (int shard = 0; shard < infer.shards(); shard++) {
        String key = context.layout().candidateShard(infer, shard);
        if (!context.store().exists(context.layout().shardSuccess(infer, shard))) {
          throw new IOException("infer shard " + shard + " has not finished: " + context.store().uri(key) + " is missing");
        }
        shards.add(CandidateShardReader.open(context.store().open(key), context.store().uri(key)));
      }
      long[] merged = new long[1];
      context.store().write(indexKey, out -> {
        SampledIndex.Writer index = new SampledIndex.Writer(out, classes, topP);
        merged[0] = ShardMerge.merge(shards, candidate -> {
          index.accept(candidate);
          ordinals.add(candidate.ordinal());
        });
        index.finish();
      });
      entries = merged[0];
    } finally {
      for (CandidateShardReader shard : shards) {
        shard.close();
      }
    }

    IndexSummary.Builder summary = hiddenLabels(context, ordinals)
        .map(labels -> IndexSummary.builder(classes, labels))
        .orElseGet(() -> IndexSummary.builder(classes));
    try (InputStream in = context.store().open(indexKey);
         SampledIndex.Reader reader = new SampledIndex.Reader(in, context.store().uri(indexKey))) {
      for (Candidate candidate = reader.next(); candidate != null; candidate = reader.next()) {
        summary.accept(candidate);
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

  /** The pool's own labels of the indexed images, when every one of them has one. */
  private static java.util.Optional<LongToIntFunction> hiddenLabels(StageContext context, List<Long> ordinals)
      throws IOException {
    Map<Long, Integer> labels = new HashMap<>();
    java.util.Set<Long> wanted = new java.util.HashSet<>(ordinals);
    DataSpec data = context.spec().getData();
    try (ImageStream stream = DataSources.open(data.getUnlabeled(), data, context.blobs(), true).open(wanted::contains)) {
      for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
        if (!image.labeled()) {
          return java.util.Optional.empty();
        }
        labels.put(image.ordinal(), image.label());
      }
    }
    if (labels.size() < wanted.size()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(ordinal -> labels.getOrDefault(ordinal, -1));
  }
}
