package dev.semisup.worker.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StepTiming;
import dev.semisup.api.report.TrainingHistory;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.IndexSummary;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.store.ObjectStore;
import dev.semisup.worker.testing.PackedTars;
import dev.semisup.worker.testing.TinyDataset;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A run's artifacts written straight into a local store, as its steps would leave them: a sampled
 * index of {@code perClass} entries per class (best first, some with a wrong pseudo-label), its
 * summary, the packed tar with an image per entry, report.json, timings and a teacher history. The
 * numbers are chosen, so a test knows what the report must show.
 */
final class SyntheticRun {

  static final ObjectMapper JSON = new ObjectMapper();

  final ObjectStore store;
  final ObjectLayout layout = new ObjectLayout("runs/local/synthetic");
  final StagePlan plan;
  final int classes;
  /** Every index entry by class, best first: what the select step would have written. */
  final List<List<Candidate>> entries = new ArrayList<>();

  /**
   * @param wrongEvery every entry whose rank modulo this is 1 has a hidden label other than its class
   * @param colourSide side of the packed images: 0 for uniform grey 8x8 images whose grey level is
   *                   {@link #greyOf} the entry's ordinal, else random colour noise of that side (the
   *                   worst case for a thumbnail's size)
   */
  SyntheticRun(Path root, int classes, int perClass, int wrongEvery, int colourSide) throws Exception {
    this.store = new LocalDirectoryStore(root);
    this.classes = classes;
    this.plan = StagePlan.of(Manifests.parse(TinyDataset.manifest("synthetic", "file:///data/", "")
        .replace("classes: 3", "classes: " + classes), "synthetic").getSpec());
    PlannedStep select = plan.require("select");
    PlannedStep pack = plan.sibling(select, Stage.PACK);
    IndexSummary.Builder summary = IndexSummary.builderFromEntries(classes);
    store.write(layout.indexPart(select, 0), out -> {
      SampledIndex.Writer index = new SampledIndex.Writer(out, classes, 1);
      for (int cls = 0; cls < classes; cls++) {
        List<Candidate> ofClass = new ArrayList<>();
        for (int rank = 0; rank < perClass; rank++) {
          long ordinal = (long) cls * perClass + rank;
          float score = 0.999f - 0.9f * rank / perClass;
          int hidden = wrongEvery > 0 && rank % wrongEvery == 1 ? (cls + 1) % classes : cls;
          Candidate entry = new Candidate(ordinal, String.format("pool/img-%07d.png", ordinal), cls, score,
              new int[] {cls}, new float[] {score}, hidden);
          index.accept(entry);
          summary.accept(entry);
          ofClass.add(entry);
        }
        entries.add(ofClass);
      }
      index.finish();
    });
    IndexSummary built = summary.build().withSkippedImages(0L);
    store.put(layout.indexSummary(select), JSON.writeValueAsBytes(built));
    writePack(layout.packedShard(pack, 0), colourSide);

    store.put(layout.report(), JSON.writeValueAsBytes(new RunReport("synthetic", 0.80, 0.78, 0.83,
        built.entries(), built.pseudoLabelPrecision(),
        List.of(new RunReport.Round(1, 0.80, 0.78, 0.83, built.entries(), built.pseudoLabelPrecision(), 0L)), 0L)));
    Instant t0 = Instant.parse("2026-11-30T01:00:00Z");
    PlannedStep teacher = plan.require("teacher");
    PlannedStep infer = plan.require("infer");
    store.put(layout.timing(teacher, 0), JSON.writeValueAsBytes(
        new StepTiming("teacher", 0, 1, t0.toString(), t0.plusSeconds(60).toString(), 1)));
    for (int shard = 0; shard < infer.shards(); shard++) {
      store.put(layout.timing(infer, shard), JSON.writeValueAsBytes(new StepTiming("infer", shard, infer.shards(),
          t0.plusSeconds(61).toString(), t0.plusSeconds(70 + 5 * shard).toString(), 1)));
    }
    TrainingHistory history = new TrainingHistory("teacher", List.of(
        new TrainingHistory.Epoch(1, 1.2, 0.55, 1.1, t0.plusSeconds(20).toString()),
        new TrainingHistory.Epoch(2, 0.7, 0.71, 0.8, t0.plusSeconds(40).toString()),
        new TrainingHistory.Epoch(3, 0.5, 0.80, 0.6, t0.plusSeconds(60).toString())));
    store.put(layout.history(teacher), JSON.writeValueAsBytes(history));
  }

  /** The grey level of a grey test image: its entry's ordinal, spread over 0..255. */
  static int greyOf(long ordinal) {
    return (int) ((ordinal * 37) % 256);
  }

  RunReportPage.Run run() {
    return new RunReportPage.Run("synthetic", store, layout, plan);
  }

  /** Packs every entry, in a shuffled order as the pack step does, as position.png/.cls/.json. */
  private void writePack(String key, int colourSide) throws IOException {
    List<Candidate> all = new ArrayList<>();
    entries.forEach(all::addAll);
    Collections.shuffle(all, new Random(7));
    List<byte[]> noise = new ArrayList<>();
    Random random = new Random(11);
    for (int i = 0; colourSide > 0 && i < 64; i++) {
      BufferedImage image = new BufferedImage(colourSide, colourSide, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < colourSide; y++) {
        for (int x = 0; x < colourSide; x++) {
          image.setRGB(x, y, random.nextInt(1 << 24));
        }
      }
      noise.add(encode(image, "jpg"));
    }
    store.write(key, out -> {
      TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
      int position = 0;
      for (Candidate entry : all) {
        String base = String.format("%010d", position++);
        byte[] image = colourSide > 0 ? noise.get((int) (entry.ordinal() % noise.size())) : grey(entry.ordinal());
        PackedTars.member(tar, base + (colourSide > 0 ? ".jpg" : ".png"), image);
        PackedTars.member(tar, base + ".cls", Integer.toString(entry.pseudoLabel()).getBytes(StandardCharsets.US_ASCII));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ref", entry.key());
        json.put("score", entry.score());
        json.put("classes", entry.classes());
        json.put("probabilities", entry.probabilities());
        PackedTars.member(tar, base + ".json", JSON.writeValueAsBytes(json));
      }
      tar.finish();
    });
  }

  private static byte[] grey(long ordinal) throws IOException {
    BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    int level = greyOf(ordinal);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        image.getRaster().setSample(x, y, 0, level);
      }
    }
    return encode(image, "png");
  }

  private static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(image, format, bytes);
    return bytes.toByteArray();
  }
}
