package dev.semisup.worker.stages.select;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.progress.ProgressListener;
import dev.semisup.worker.sampling.CandidateShardReader;
import dev.semisup.worker.sampling.CandidateShardWriter;
import dev.semisup.worker.sampling.GlobalThreshold;
import dev.semisup.worker.sampling.ImageTotals;
import dev.semisup.worker.sampling.IndexSummary;
import dev.semisup.worker.sampling.PerClassTopK;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.sampling.ShardMerge;
import dev.semisup.worker.sampling.VersionTwoShards;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.store.ObjectStore;
import dev.semisup.worker.store.S3ObjectStore;
import dev.semisup.worker.store.S3TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The select stage reads candidate shards by ranged reads: it writes the same index and summary,
 * byte for byte, as merging the whole shards read forward only, and over S3 it moves about the
 * bytes of the candidates it keeps where reading whole shards moves the shard count times more.
 * The infer shards' image totals come from the shards' headers; shards of version 2 (an older
 * worker's) have none, and their progress files give them.
 */
class RangedSelectTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void rangedReadsWriteTheSameIndexAndSummaryAsWholeShards() throws Exception {
    Random random = new Random(2019);
    int trial = 0;
    for (int shards : new int[] {1, 3, 7, 16}) {
      for (int k : new int[] {1, 4, 30, 200}) {
        trial++;
        int classes = 2 + random.nextInt(5);
        int topP = 1 + random.nextInt(Math.min(classes, 3));
        boolean unbalanced = trial % 5 == 0;
        // Every third pool as a run resumed across an upgrade: its even shards written by an older worker.
        IntPredicate versionTwo = trial % 3 == 0 ? shard -> shard % 2 == 0 : shard -> false;
        Pool pool = new Pool(classes, topP, k, shards, 40 + random.nextInt(2000), random.nextLong());
        ObjectStore store = new LocalDirectoryStore(dir.resolve("store-" + trial));
        StageContext context = pool.writeShards(store, unbalanced, versionTwo);

        new SelectStage().run(context);

        Expected expected = pool.wholeShardSelect(store, context, unbalanced);
        String what = String.format("%d shards, k %d, %d classes, top-P %d%s%s", shards, k, classes, topP,
            unbalanced ? ", unbalanced" : "", trial % 3 == 0 ? ", even shards of version 2" : "");
        assertThat(store.get(context.layout().indexPart(context.step(), 0))).as(what).isEqualTo(expected.part());
        assertThat(store.get(context.layout().indexSummary(context.step()))).as(what).isEqualTo(expected.summary());
      }
    }
  }

  @Test
  void overS3SelectMovesAtMostATenthMoreThanTheCandidatesItKeeps() throws Exception {
    try (S3TestServer s3 = S3TestServer.start()) {
      ObjectStore store = new S3ObjectStore(s3.endpointClient(), s3.bucket());
      // 16 shards that each keep K of every class: reading them whole moves 16 times the index.
      Pool pool = new Pool(4, 4, 600, 16, 16 * 600, 7);
      StageContext context = pool.writeShards(store, false);

      long before = store.bytesRead();
      new SelectStage().run(context);
      long moved = store.bytesRead() - before;

      byte[] part = store.get(context.layout().indexPart(context.step(), 0));
      long kept = 0;
      List<dev.semisup.worker.sampling.Candidate> index = SampledIndex.readAll(new ByteArrayInputStream(part), "part");
      for (dev.semisup.worker.sampling.Candidate candidate : index) {
        kept += CandidateShardWriter.entryBytes(candidate);
      }
      assertThat(index).hasSize(4 * 600);
      assertThat(moved).as("bytes moved for %d kept", kept).isLessThanOrEqualTo((long) (1.1 * kept));

      long wholeBefore = store.bytesRead();
      Expected whole = pool.wholeShardSelect(store, context, false);
      long wholeMoved = store.bytesRead() - wholeBefore;
      assertThat(wholeMoved).as("whole shards read forward only, over S3").isGreaterThan(10 * kept);
      assertThat(part).isEqualTo(whole.part());
      assertThat(store.get(context.layout().indexSummary(context.step()))).isEqualTo(whole.summary());
    }
  }

  @Test
  void selectTakesTheImageTotalsFromTheHeadersAndReadsNoProgressFile() throws Exception {
    Pool pool = new Pool(3, 2, 30, 8, 2000, 11);
    RecordingStore store = new RecordingStore(new LocalDirectoryStore(dir.resolve("store")));
    StageContext context = pool.writeShards(store, false, shard -> false);
    PlannedStep infer = context.plan().sibling(context.step(), Stage.INFER);

    new SelectStage().run(context);

    List<String> expected = new ArrayList<>();
    for (int shard = 0; shard < 8; shard++) {
      expected.add(context.layout().candidateShard(infer, shard));
      expected.add(context.layout().shardSuccess(infer, shard));
    }
    assertThat(store.keysRead()).as("every key select read or looked up").containsExactlyInAnyOrderElementsOf(expected);
    for (int shard = 0; shard < 8; shard++) {
      assertThat(store.rangesFrom(context.layout().candidateShard(infer, shard), 0))
          .as("shard %d: one ranged read for its header", shard).isEqualTo(1);
    }
    JsonNode summary = JSON.readTree(store.get(context.layout().indexSummary(context.step())));
    assertThat(summary.path("skippedImages").asLong(-1)).as("shards 1, 3, 5 and 7 skipped one image each").isEqualTo(4);
  }

  @Test
  void versionTwoShardsTakeTheirTotalsFromTheirProgressFilesAndAMissingOneLeavesThemUnknown() throws Exception {
    Pool pool = new Pool(3, 2, 30, 4, 800, 12);
    RecordingStore store = new RecordingStore(new LocalDirectoryStore(dir.resolve("store")));
    StageContext context = pool.writeShards(store, false, shard -> shard == 1 || shard == 2);
    PlannedStep infer = context.plan().sibling(context.step(), Stage.INFER);

    new SelectStage().run(context);

    assertThat(store.keysRead()).filteredOn(key -> key.contains("/progress-"))
        .containsExactlyInAnyOrder(context.layout().shardProgress(infer, 1), context.layout().shardProgress(infer, 2));
    String summaryKey = context.layout().indexSummary(context.step());
    assertThat(JSON.readTree(store.get(summaryKey)).path("skippedImages").asLong(-1))
        .as("shards 1 and 3 skipped one image each: shard 1's from its progress file, 3's from its header")
        .isEqualTo(2);

    store.delete(context.layout().shardProgress(infer, 2));
    new SelectStage().run(context);

    assertThat(JSON.readTree(store.get(summaryKey)).has("skippedImages")).as("a partial sum is no count").isFalse();
  }

  private record Expected(byte[] part, byte[] summary) {
  }

  /** A store that records the keys its readers open, read by ranges or look up, and where each ranged read starts. */
  private static final class RecordingStore implements ObjectStore {

    private final ObjectStore store;
    private final Set<String> keysRead = new LinkedHashSet<>();
    private final List<String> rangeStarts = new ArrayList<>();

    RecordingStore(ObjectStore store) {
      this.store = store;
    }

    Set<String> keysRead() {
      return keysRead;
    }

    long rangesFrom(String key, long offset) {
      return rangeStarts.stream().filter((key + "@" + offset)::equals).count();
    }

    @Override
    public synchronized InputStream open(String key) throws IOException {
      keysRead.add(key);
      return store.open(key);
    }

    @Override
    public synchronized InputStream openRange(String key, long offset, long length) throws IOException {
      keysRead.add(key);
      rangeStarts.add(key + "@" + offset);
      return store.openRange(key, offset, length);
    }

    @Override
    public synchronized boolean exists(String key) throws IOException {
      keysRead.add(key);
      return store.exists(key);
    }

    @Override
    public synchronized List<String> list(String prefix) throws IOException {
      keysRead.add(prefix + "*");
      return store.list(prefix);
    }

    @Override
    public void put(String key, byte[] bytes) throws IOException {
      store.put(key, bytes);
    }

    @Override
    public OutputStream create(String key) throws IOException {
      return store.create(key);
    }

    @Override
    public boolean putIfAbsent(String key, byte[] bytes) throws IOException {
      return store.putIfAbsent(key, bytes);
    }

    @Override
    public long bytesRead() {
      return store.bytesRead();
    }

    @Override
    public void delete(String key) throws IOException {
      store.delete(key);
    }

    @Override
    public String uri(String key) {
      return store.uri(key);
    }

    @Override
    public void checkReachable() throws IOException {
      store.checkReachable();
    }
  }

  /**
   * A seeded pool scored into {@code shards} candidate shards as infer writes them (image i in
   * shard i % shards), each with its progress file; shard s scored images / shards images and
   * skipped s % 2. Class 0 is most images' best, the last class is never in any top-P
   * (probability 0, behind every other), so classes are uneven and the last is empty in every
   * shard; keys vary in length, so entries straddle the ranged reads anywhere.
   */
  private record Pool(int classes, int topP, int k, int shards, int images, long seed) {

    StageContext writeShards(ObjectStore store, boolean unbalanced) throws Exception {
      return writeShards(store, unbalanced, shard -> false);
    }

    /** As infer writes them; the shards {@code versionTwo} names as an older worker wrote them, without totals. */
    StageContext writeShards(ObjectStore store, boolean unbalanced, IntPredicate versionTwo) throws Exception {
      StageContext context = context(store, unbalanced);
      PlannedStep infer = context.plan().sibling(context.step(), Stage.INFER);
      Random random = new Random(seed);
      List<PerClassTopK> topK = new ArrayList<>();
      for (int shard = 0; shard < shards; shard++) {
        topK.add(unbalanced ? PerClassTopK.unbalanced(classes, k) : new PerClassTopK(classes, k));
      }
      for (int image = 0; image < images; image++) {
        float[] probabilities = new float[classes];
        for (int c = 0; c < classes - 1; c++) {
          probabilities[c] = random.nextFloat() * (c == 0 ? 2 : 1) + 0.001f;
        }
        String key = "pool/part-" + (image % 7) + ".tar#img-" + image + "x".repeat(random.nextInt(40));
        topK.get(image % shards).offer(image, key, probabilities, topP, random.nextInt(classes));
      }
      for (int shard = 0; shard < shards; shard++) {
        long done = images / shards;
        long skipped = shard % 2;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CandidateShardWriter.write(topK.get(shard), topP, new ImageTotals(done, skipped), bytes);
        store.put(context.layout().candidateShard(infer, shard),
            versionTwo.test(shard) ? VersionTwoShards.of(bytes.toByteArray()) : bytes.toByteArray());
        store.put(context.layout().shardProgress(infer, shard), JSON.writeValueAsBytes(new StageProgress(
            "infer", shard, shards, 0, 0, done, done, 1.0, null, null, "2026-01-01T00:00:00Z", skipped)));
        store.put(context.layout().shardSuccess(infer, shard), new byte[0]);
      }
      return context;
    }

    /** What select wrote before ranged reads: the same merge over the whole shards, each one forward-only stream. */
    Expected wholeShardSelect(ObjectStore store, StageContext context, boolean unbalanced) throws IOException {
      PlannedStep infer = context.plan().sibling(context.step(), Stage.INFER);
      List<CandidateShardReader> readers = open(store, infer);
      GlobalThreshold.Entry threshold = null;
      if (unbalanced) {
        threshold = GlobalThreshold.of(readers, k * classes).orElse(null);
        readers = open(store, infer);
      }
      IndexSummary.Builder summary = IndexSummary.builderFromEntries(classes);
      ByteArrayOutputStream part = new ByteArrayOutputStream();
      SampledIndex.Writer index = new SampledIndex.Writer(part, classes, topP);
      ShardMerge.merge(readers, threshold, candidate -> {
        index.accept(candidate);
        summary.accept(candidate);
      });
      index.finish();
      for (CandidateShardReader reader : readers) {
        reader.close();
      }
      long skipped = 0;
      for (int shard = 0; shard < shards; shard++) {
        skipped += shard % 2;
      }
      IndexSummary built = summary.build().withSkippedImages(skipped);
      return new Expected(part.toByteArray(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(built));
    }

    private List<CandidateShardReader> open(ObjectStore store, PlannedStep infer) throws IOException {
      List<CandidateShardReader> readers = new ArrayList<>();
      for (int shard = 0; shard < shards; shard++) {
        String key = new ObjectLayout("runs/ranged").candidateShard(infer, shard);
        readers.add(CandidateShardReader.open(store.open(key), store.uri(key)));
      }
      return readers;
    }

    private StageContext context(ObjectStore store, boolean unbalanced) throws Exception {
      String yaml = """
          apiVersion: semisup.dev/v1alpha1
          kind: SemiSupervisedRun
          metadata: {name: ranged}
          spec:
            data:
              classes: %1$d
              imageSize: 8
              channels: 1
              labeled: {uri: "file:///nowhere/pool/", format: tar}
              unlabeled: {uri: "file:///nowhere/pool/", format: tar}
              validation: {uri: "file:///nowhere/pool/", format: tar}
            teacher: {architecture: cnn-small, checkpoint: "file:///nowhere/teacher.params"}
            student: {architecture: cnn-small}
            sampling: {topK: %2$d, topP: %3$d, shards: %4$d%5$s}
          """.formatted(classes, k, topP, shards, unbalanced ? ", selection: unbalanced" : "");
      SemiSupervisedRunSpec spec = Manifests.parse(yaml, "ranged.yaml").getSpec();
      StagePlan plan = StagePlan.of(spec);
      return StageContext.builder("ranged", spec).plan(plan).step(plan.require("select"), 0)
          .artifacts(new ObjectLayout("runs/ranged"), store).data(new FileBlobs())
          .progress(ProgressListener.NONE, Duration.ZERO).build();
    }
  }
}
