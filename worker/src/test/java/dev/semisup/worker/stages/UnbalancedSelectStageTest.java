package dev.semisup.worker.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.run.StageRunner;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.SampledIndex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sampling.selection: unbalanced through the infer and select stages: the index has the balanced
 * index's size (K x classes), sharding does not change it, its scores are at least the balanced
 * index's, and a killed unbalanced shard resumes from its checkpoint to the same candidates.
 */
class UnbalancedSelectStageTest {

  private static final int FILES = 12;
  private static final int PER_FILE = 20;

  @TempDir
  Path dir;

  @Test
  void theUnbalancedIndexHasTheBalancedSizeForAnyShardingAndHigherScores() throws Exception {
    TarPoolRun balanced = TarPoolRun.create(dir.resolve("balanced"), FILES, PER_FILE, 1, "");
    TarPoolRun oneShard = TarPoolRun.create(dir.resolve("one"), FILES, PER_FILE, 1, ", selection: unbalanced");
    TarPoolRun threeShards = TarPoolRun.create(dir.resolve("three"), FILES, PER_FILE, 3, ", selection: unbalanced");

    List<Candidate> balancedIndex = index(balanced, dir.resolve("balanced-store"), 1);
    List<Candidate> one = index(oneShard, dir.resolve("one-store"), 1);
    List<Candidate> three = index(threeShards, dir.resolve("three-store"), 3);

    assertThat(balancedIndex).hasSize(3 * 25);
    assertThat(one).hasSize(3 * 25);
    assertThat(three).extracting(UnbalancedSelectStageTest::entry).isEqualTo(one.stream().map(UnbalancedSelectStageTest::entry).toList());
    double lowestBalanced = balancedIndex.stream().mapToDouble(Candidate::score).min().orElseThrow();
    double lowestUnbalanced = one.stream().mapToDouble(Candidate::score).min().orElseThrow();
    assertThat(lowestUnbalanced).isGreaterThanOrEqualTo(lowestBalanced);
    assertThat(one.stream().mapToDouble(Candidate::score).sum())
        .isGreaterThanOrEqualTo(balancedIndex.stream().mapToDouble(Candidate::score).sum());
  }

  @Test
  void aKilledUnbalancedShardResumesToTheSameCandidates() throws Exception {
    TarPoolRun run = TarPoolRun.create(dir.resolve("pool"), FILES, PER_FILE, 1,
        ", checkpointFiles: 2, selection: unbalanced");
    Path whole = dir.resolve("whole");
    StageRunner.run(run.context(whole, "infer", 0, TarPoolRun.files()));

    Path killed = dir.resolve("killed");
    CountingBlobs dying = new CountingBlobs(TarPoolRun.files(), run.poolUri()).failingAtOpen(8);
    assertThatThrownBy(() -> StageRunner.run(run.context(killed, "infer", 0, dying))).hasMessageContaining("killed");
    assertThat(killed.resolve("runs/tarpool/candidates/checkpoint-00000.bin")).exists();
    StageRunner.run(run.context(killed, "infer", 0, TarPoolRun.files()));

    String shard = "runs/tarpool/candidates/shard-00000-of-00001.bin";
    assertThat(Files.readAllBytes(killed.resolve(shard))).isEqualTo(Files.readAllBytes(whole.resolve(shard)));
  }

  /** An entry by what the method decided (image, class, score), not by the pool folder's path. */
  private static String entry(Candidate c) {
    return c.ordinal() + "/" + c.pseudoLabel() + "/" + c.score();
  }

  private static List<Candidate> index(TarPoolRun run, Path store, int shards) throws IOException {
    for (int shard = 0; shard < shards; shard++) {
      StageRunner.run(run.context(store, "infer", shard, TarPoolRun.files()));
    }
    StageRunner.run(run.context(store, "select", 0, TarPoolRun.files()));
    Path part = store.resolve("runs/tarpool/index/part-00000.bin");
    return SampledIndex.readAll(new ByteArrayInputStream(Files.readAllBytes(part)), part.toString());
  }
}
