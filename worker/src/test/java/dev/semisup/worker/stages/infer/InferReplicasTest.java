package dev.semisup.worker.stages.infer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.semisup.worker.stages.TarPoolRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One teacher replica per device in infer, with two instances on the CPU standing for two GPUs
 * (DJL's PyTorch engine has one CPU device): batches dealt to the replicas come back in order,
 * so the shard's candidates are those of one replica, byte for byte.
 */
class InferReplicasTest {

  private static final String SHARD = "runs/tarpool/candidates/shard-00000-of-00001.bin";

  @TempDir
  Path dir;

  @Test
  void twoReplicasWriteTheCandidatesOneWrites() throws Exception {
    // 12 tar files of 20-22 images: 12 batches (a batch never spans a file), checkpoints every
    // 3 files, each of which must wait for the batches still in flight.
    TarPoolRun run = TarPoolRun.create(dir.resolve("pool"), 12, 20, 1, ", checkpointFiles: 3");
    Path one = dir.resolve("one");
    Path two = dir.resolve("two");
    new InferStage(List.of(Device.cpu())).run(run.context(one, "infer", 0, TarPoolRun.files()));
    new InferStage(List.of(Device.cpu(), Device.cpu())).run(run.context(two, "infer", 0, TarPoolRun.files()));

    byte[] expected = Files.readAllBytes(one.resolve(SHARD));
    assertThat(expected.length).isGreaterThan(1000);
    assertThat(Files.readAllBytes(two.resolve(SHARD))).isEqualTo(expected);
  }
}
