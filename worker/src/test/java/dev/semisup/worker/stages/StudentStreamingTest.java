package dev.semisup.worker.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.progress.ProgressListener;
import dev.semisup.worker.run.StageRunner;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.store.UriBlobs;
import dev.semisup.worker.testing.PackedTars;
import dev.semisup.worker.testing.TinyDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The student streams the pack step's shards: it trains without reading the pool, and a pod
 * killed mid-epoch resumes to the parameters of an uninterrupted run.
 */
class StudentStreamingTest {

  private static final int SAMPLES_PER_SHARD = 16;
  private static final int SHARDS = 3;

  @TempDir
  Path dir;

  SemiSupervisedRunSpec spec() throws Exception {
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    String manifest = TinyDataset.manifest("tiny", data.toUri().toString().replaceFirst("^file:/(?!/)", "file:///"), "")
        .replace("training: {epochs: 1, batchSize: 16, learningRate: 0.02, seed: 2}",
            "training: {epochs: 2, batchSize: 16, learningRate: 0.02, seed: 2, checkpointEverySteps: 2, shuffleBuffer: 20}");
    // No pool at all: the streamed student must not read it.
    manifest = manifest.replaceFirst("unlabeled: \\{[^}]*\\}", "unlabeled: {uri: \"file:///nonexistent/pool.tar\", format: tar}");
    return Manifests.parse(manifest, "tiny").getSpec();
  }

  /** The select and pack steps' outputs: an index summary and three packed shards of band images. */
  void writePackedRun(Path storeRoot) throws IOException {
    Path run = storeRoot.resolve("runs/tiny");
    Random random = new Random(8);
    for (int shard = 0; shard < SHARDS; shard++) {
      List<PackedTars.Sample> samples = new ArrayList<>();
      for (int i = 0; i < SAMPLES_PER_SHARD; i++) {
        long position = (long) shard * SAMPLES_PER_SHARD + i;
        int label = random.nextInt(TinyDataset.CLASSES);
        samples.add(PackedTars.Sample.of(position, PackedTars.greyPng(band(label, random), 8, 8), label,
            TinyDataset.CLASSES, 0.9f));
      }
      PackedTars.write(run.resolve("packed/" + PackedTars.shardName(shard, SHARDS)), samples);
    }
    Files.writeString(run.resolve("packed/_SUCCESS"), "");
    Files.createDirectories(run.resolve("index"));
    Files.writeString(run.resolve("index/summary.json"), "{\"classes\": 3, \"entries\": " + SAMPLES_PER_SHARD * SHARDS + "}");
    Files.writeString(run.resolve("index/_SUCCESS"), "");
  }

  static byte[] band(int label, Random random) {
    byte[] pixels = new byte[64];
    for (int p = 0; p < 64; p++) {
      int row = p / 8;
      pixels[p] = (byte) Math.min(255, random.nextInt(60) + (row >= 2 * label + 1 && row < 2 * label + 3 ? 180 : 0));
    }
    return pixels;
  }

  StageContext student(SemiSupervisedRunSpec spec, Path storeRoot, ProgressListener listener) {
    StagePlan plan = StagePlan.of(spec);
    return StageContext.builder("tiny", spec).plan(plan).step(plan.require("student"), 0)
        .artifacts(new ObjectLayout("runs/tiny"), new LocalDirectoryStore(storeRoot))
        .data(UriBlobs.filesOnly(new FileBlobs(), "tests read files only"))
        .progress(listener, java.time.Duration.ZERO).build();
  }

  @Test
  void aStudentKilledMidEpochOnPackedShardsResumesToTheUninterruptedParameters() throws Exception {
    SemiSupervisedRunSpec spec = spec();
    Path straight = dir.resolve("straight");
    writePackedRun(straight);
    StageRunner.run(student(spec, straight, ProgressListener.NONE));
    byte[] expected = Files.readAllBytes(straight.resolve("runs/tiny/student/model.params"));
    StageMetrics metrics = new ObjectMapper().readValue(straight.resolve("runs/tiny/student/metrics.json").toFile(),
        StageMetrics.class);
    assertThat(metrics.trainImages()).isEqualTo(SAMPLES_PER_SHARD * SHARDS);

    Path killed = dir.resolve("killed");
    writePackedRun(killed);
    // 48 examples in batches of 16: 3 batches an epoch, a checkpoint after batch 2; killed in the last batch of epoch 2.
    ProgressListener killLate = progress -> {
      if (progress.epoch() == 2 && progress.done() == 3) {
        throw new IllegalStateException("pod killed");
      }
    };
    assertThatThrownBy(() -> StageRunner.run(student(spec, killed, killLate))).hasMessage("pod killed");
    Path checkpoints = killed.resolve("runs/tiny/student/checkpoints");
    try (var listed = Files.list(checkpoints)) {
      assertThat(listed.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("epoch-0001.ckpt", "epoch-0001.step-000000002.ckpt");
    }
    StageRunner.run(student(spec, killed, ProgressListener.NONE));
    assertThat(Files.readAllBytes(killed.resolve("runs/tiny/student/model.params"))).isEqualTo(expected);
  }
}
