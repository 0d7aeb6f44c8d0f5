package dev.semisup.worker.stages.infer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.worker.sampling.PerClassTopK;
import dev.semisup.worker.sampling.VersionTwoShards;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A checkpoint holds its heaps as a candidate shard: one written by an older worker (shard version 2) still resumes. */
class InferCheckpointTest {

  /** magic, version, shard, shards, filesDone; scored, skipped, offered: then the candidate shard. */
  private static final int FIELDS_BYTES = 5 * 4 + 3 * 8;

  @Test
  void aCheckpointResumesWithItsCountsAndHeapsWhateverItsShardsVersion() throws IOException {
    PerClassTopK topK = new PerClassTopK(4, 6);
    Random random = new Random(31);
    for (int image = 0; image < 200; image++) {
      float[] probabilities = new float[4];
      for (int c = 0; c < 4; c++) {
        probabilities[c] = random.nextFloat();
      }
      topK.offer(image, "pool/part-0.tar#img-" + image + ".png", probabilities, 2, image % 4);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new InferCheckpoint(2, 5, 17, 190, 10, topK).write(out, 2);
    byte[] current = out.toByteArray();
    byte[] older = concat(Arrays.copyOf(current, FIELDS_BYTES),
        VersionTwoShards.of(Arrays.copyOfRange(current, FIELDS_BYTES, current.length)));

    for (byte[] bytes : new byte[][] {current, older}) {
      InferCheckpoint read = InferCheckpoint.read(new ByteArrayInputStream(bytes), "checkpoint-00002.bin", false);
      assertThat(read.shard()).isEqualTo(2);
      assertThat(read.shards()).isEqualTo(5);
      assertThat(read.filesDone()).isEqualTo(17);
      assertThat(read.scored()).isEqualTo(190);
      assertThat(read.skipped()).isEqualTo(10);
      assertThat(read.topK().offered()).isEqualTo(topK.offered());
      for (int cls = 0; cls < 4; cls++) {
        assertThat(read.topK().sorted(cls)).isEqualTo(topK.sorted(cls));
      }
    }
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }
}
