package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spec.teacher.checkpoint is read into memory whole: one larger than an array holds, or a path
 * that is no regular file, is the user's to fix (exit 2 naming the field), not an
 * OutOfMemoryError or a read that never returns on every retry of infer.
 */
class TeacherCheckpointBudgetTest {

  @TempDir
  Path dir;

  @Test
  void aSparseThreeGigabyteCheckpointExitsTwoNamingTheField() throws Exception {
    Path checkpoint = dir.resolve("huge-teacher.params");
    try (RandomAccessFile sparse = new RandomAccessFile(checkpoint.toFile(), "rw")) {
      sparse.setLength(3_000_000_000L);
    }

    TinyRuns.Result result = runWithCheckpoint(checkpoint);

    assertThat(result.exit()).as(result.out()).isEqualTo(2);
    assertThat(result.err()).contains("spec.teacher.checkpoint", checkpoint.toString(), "holds 3000000000 bytes");
  }

  @Test
  void aFifoAsCheckpointExitsTwoInsteadOfWaiting() throws Exception {
    Path fifo = dir.resolve("teacher.params");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();

    TinyRuns.Result result = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120),
        () -> runWithCheckpoint(fifo));

    assertThat(result.exit()).as(result.out()).isEqualTo(2);
    assertThat(result.err()).contains("spec.teacher.checkpoint", "is not a regular file");
  }

  private TinyRuns.Result runWithCheckpoint(Path checkpoint) throws Exception {
    TinyRuns runs = new TinyRuns(dir);
    String manifest = runs.manifest("given", "");
    String given = manifest.replace("architecture: cnn-small\n    training: {epochs: 3",
        "architecture: cnn-small\n    checkpoint: \"file://" + checkpoint + "\"\n    training: {epochs: 3");
    assertThat(given).contains("checkpoint:");
    return runs.run(runs.write("given.yaml", given));
  }
}
