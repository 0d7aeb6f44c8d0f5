package dev.semisup.worker.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.worker.run.StageRunner;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.SampledIndex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference through the decode pipeline with a corrupt image in the middle of a batch: that image
 * alone is skipped and counted; every other image of the batch is scored, with the scores an
 * intact pool gives it.
 */
class InferCorruptInBatchTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** One tar of 12 images: one batch; top-2 of 12 images never overflows a heap of 25. */
  private static final int IMAGES = 12;
  private static final int CORRUPT = 5;

  @TempDir
  Path dir;

  @Test
  void aCorruptImageInTheMiddleOfABatchCostsThatImageOnly() throws Exception {
    TarPoolRun intact = TarPoolRun.create(dir.resolve("intact"), 1, IMAGES, 1, "");
    TarPoolRun broken = TarPoolRun.create(dir.resolve("broken"), 1, IMAGES, 1, "");
    // 1 of 12 is more than the default 5% a pool may lose; this test is about the batch, not the pool.
    broken.spec.getData().setMaxSkippedFraction(0.1);
    // Members are png, cls, png, cls...: 4 records of 512 bytes per sample; record 4k+1 is sample k's PNG data.
    try (RandomAccessFile tar = new RandomAccessFile(broken.poolDir.resolve("part-0000.tar").toFile(), "rw")) {
      tar.seek((4L * CORRUPT + 1) * 512);
      tar.write(new byte[64]);
    }

    Map<Long, List<Candidate>> expected = scored(intact, dir.resolve("intact-store"));
    Map<Long, List<Candidate>> scored = scored(broken, dir.resolve("broken-store"));

    assertThat(expected).hasSize(IMAGES);
    assertThat(scored.keySet()).hasSize(IMAGES - 1).doesNotContain((long) CORRUPT);
    for (long ordinal : scored.keySet()) {
      List<Candidate> got = scored.get(ordinal);
      List<Candidate> want = expected.get(ordinal);
      assertThat(got).hasSameSizeAs(want);
      for (int i = 0; i < got.size(); i++) {
        assertThat(got.get(i).pseudoLabel()).isEqualTo(want.get(i).pseudoLabel());
        assertThat(got.get(i).score()).as("image %d", ordinal).isCloseTo(want.get(i).score(), within(1e-5f));
      }
    }
    JsonNode progress = JSON.readTree(dir.resolve("broken-store/runs/tarpool/candidates/progress-00000.json").toFile());
    assertThat(progress.path("done").asLong()).as("images scored").isEqualTo(IMAGES - 1);
    assertThat(progress.path("skippedImages").asLong()).isEqualTo(1);
  }

  /** Infer and select over the run's pool; the sampled index's entries by image ordinal, in index order. */
  private static Map<Long, List<Candidate>> scored(TarPoolRun run, Path store) throws IOException {
    StageRunner.run(run.context(store, "infer", 0, TarPoolRun.files()));
    StageRunner.run(run.context(store, "select", 0, TarPoolRun.files()));
    Path part = store.resolve("runs/tarpool/index/part-00000.bin");
    List<Candidate> index = SampledIndex.readAll(new ByteArrayInputStream(Files.readAllBytes(part)), part.toString());
    return index.stream().collect(Collectors.groupingBy(Candidate::ordinal, java.util.TreeMap::new, Collectors.toList()));
  }
}
