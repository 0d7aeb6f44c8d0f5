package dev.semisup.worker.stages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.worker.run.StageRunner;
import dev.semisup.worker.sampling.CandidateShardReader;
import dev.semisup.worker.sampling.ImageTotals;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Infer writes each shard's image totals into its candidate shard's header, from the counts its
 * progress file reports; select sums them from the headers alone.
 */
class InferShardTotalsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FILES = 6;
  private static final int PER_FILE = 10;
  private static final int SHARDS = 3;

  @TempDir
  Path dir;

  @Test
  void theHeadersCarryWhatTheProgressFilesCountOnAPoolWithCorruptImages() throws Exception {
    TarPoolRun run = TarPoolRun.create(dir.resolve("pool"), FILES, PER_FILE, SHARDS, "");
    run.spec.getData().setMaxSkippedFraction(0.5);
    // Members are png, cls, png, cls...: 4 records of 512 bytes per sample; record 4k+1 is sample k's PNG data.
    corrupt(run.poolDir.resolve("part-0000.tar"), 1);
    corrupt(run.poolDir.resolve("part-0004.tar"), 2);
    corrupt(run.poolDir.resolve("part-0004.tar"), 5);
    Path store = dir.resolve("store");
    for (int shard = 0; shard < SHARDS; shard++) {
      StageRunner.run(run.context(store, "infer", shard, TarPoolRun.files()));
    }

    long scored = 0;
    long skipped = 0;
    int shardsThatSkipped = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      Path candidates = store.resolve(String.format("runs/tarpool/candidates/shard-%05d-of-%05d.bin", shard, SHARDS));
      Path progressFile = store.resolve(String.format("runs/tarpool/candidates/progress-%05d.json", shard));
      JsonNode progress = JSON.readTree(progressFile.toFile());
      ImageTotals fromProgress = new ImageTotals(progress.path("done").asLong(-1), progress.path("skippedImages").asLong(-1));
      try (InputStream in = Files.newInputStream(candidates);
           CandidateShardReader reader = CandidateShardReader.open(in, candidates.toString())) {
        assertThat(reader.imageTotals()).as("shard %d", shard).contains(fromProgress);
      }
      scored += fromProgress.scored();
      skipped += fromProgress.skipped();
      shardsThatSkipped += fromProgress.skipped() > 0 ? 1 : 0;
    }
    int images = 0;
    for (int f = 0; f < FILES; f++) {
      images += PER_FILE + f % 3; // TarPoolRun's uneven files
    }
    assertThat(skipped).as("the three corrupt images").isEqualTo(3);
    assertThat(shardsThatSkipped).as("corrupt images in more than one shard's slice").isEqualTo(2);
    assertThat(scored).isEqualTo(images - 3);

    // Without the progress files select still knows the count: it reads the headers.
    for (int shard = 0; shard < SHARDS; shard++) {
      Files.delete(store.resolve(String.format("runs/tarpool/candidates/progress-%05d.json", shard)));
    }
    StageRunner.run(run.context(store, "select", 0, TarPoolRun.files()));
    JsonNode summary = JSON.readTree(store.resolve("runs/tarpool/index/summary.json").toFile());
    assertThat(summary.path("skippedImages").asLong(-1)).isEqualTo(3);
  }

  private static void corrupt(Path tar, int sample) throws IOException {
    try (RandomAccessFile bytes = new RandomAccessFile(tar.toFile(), "rw")) {
      bytes.seek((4L * sample + 1) * 512);
      bytes.write(new byte[64]);
    }
  }
}
