package dev.semisup.worker.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CandidateShardsTest {

  private static final String NAME = "candidates/shard-00001-of-00004.bin";

  @Test
  void roundTripsEveryClassExactly() throws IOException {
    Random random = new Random(11);
    for (int trial = 0; trial < 200; trial++) {
      int classes = 1 + random.nextInt(6);
      int k = 1 + random.nextInt(8);
      int p = 1 + random.nextInt(classes);
      PerClassTopK topK = RandomPool.draw(random, classes, random.nextInt(30)).select(k, p, 1, 0);

      byte[] bytes = write(topK, p);

      try (CandidateShardReader reader = CandidateShardReader.open(new ByteArrayInputStream(bytes), NAME)) {
        assertThat(reader.classes()).isEqualTo(classes);
        assertThat(reader.k()).isEqualTo(k);
        assertThat(reader.topP()).isEqualTo(p);
        assertThat(reader.total()).isEqualTo(topK.total());
        for (int cls = 0; cls < classes; cls++) {
          assertThat(reader.count(cls)).isEqualTo(topK.size(cls));
          assertThat(reader.readClass(cls)).as("trial %d class %d", trial, cls).isEqualTo(topK.sorted(cls));
        }
      }
    }
  }

  @Test
  void streamsOneClassSkippingTheOthersReadOrNot() throws IOException {
    PerClassTopK topK = RandomPool.draw(new Random(5), 5, 40).select(6, 3, 1, 0);
    byte[] bytes = write(topK, 3);

    try (CandidateShardReader reader = CandidateShardReader.open(new ByteArrayInputStream(bytes), NAME)) {
      CandidateShardReader.ClassEntries first = reader.openClass(1);
      assertThat(first.next()).isEqualTo(topK.sorted(1).get(0)); // and leave the rest unread

      assertThat(reader.readClass(3)).isEqualTo(topK.sorted(3));
      assertThatThrownBy(first::next).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> reader.openClass(2))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("forward only");
    }
  }

  @Test
  void aTruncatedShardNamesTheFileAndSaysTruncated() throws IOException {
    PerClassTopK topK = RandomPool.draw(new Random(8), 3, 20).select(4, 2, 1, 0);
    byte[] bytes = write(topK, 2);

    for (int length = 0; length < bytes.length; length++) {
      byte[] cut = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> readEverything(cut))
          .as("cut at %d of %d", length, bytes.length)
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith(NAME + ": truncated");
    }
  }

  @Test
  void aWrongMagicOrVersionIsRefusedClearly() throws IOException {
    byte[] bytes = write(RandomPool.draw(new Random(1), 2, 5).select(2, 1, 1, 0), 1);

    byte[] index = bytes.clone();
    ByteBuffer.wrap(index).putInt(0, SampledIndex.MAGIC); // a sampled index part is not a shard
    assertThatThrownBy(() -> readEverything(index))
        .isInstanceOf(IOException.class)
        .hasMessage(NAME + ": not a candidate shard (magic 0x53534958 \"SSIX\", expected 0x53534353 \"SSCS\")");

    byte[] future = bytes.clone();
    ByteBuffer.wrap(future).putInt(4, 3);
    assertThatThrownBy(() -> readEverything(future))
        .isInstanceOf(IOException.class)
        .hasMessage(NAME + ": candidate shard version 3, this worker reads version 2");
  }

  @Test
  void aCorruptClassIndexIsRefused() throws IOException {
    byte[] bytes = write(RandomPool.draw(new Random(2), 2, 10).select(3, 2, 1, 0), 2);
    ByteBuffer.wrap(bytes).putInt(CandidateShardWriter.HEADER_BYTES + 8, 99); // class 0 count > k

    assertThatThrownBy(() -> readEverything(bytes))
        .isInstanceOf(IOException.class).hasMessageContaining("class 0 has 99 candidates (top-K is 3)");

    ByteBuffer.wrap(bytes).putInt(8, Integer.MAX_VALUE); // classes: refused before sizing the index
    assertThatThrownBy(() -> readEverything(bytes))
        .isInstanceOf(IOException.class).hasMessageContaining(NAME + ": corrupt header (classes 2147483647");
  }

  @Test
  void refusesToWriteUnsortedOrOversizedClasses() {
    Candidate a = new Candidate(1, "a", 0, 0.5f, new int[] {0}, new float[] {0.5f});
    Candidate b = new Candidate(2, "b", 0, 0.9f, new int[] {0}, new float[] {0.9f});

    assertThatThrownBy(() -> CandidateShardWriter.write(new ByteArrayOutputStream(), 1, 2, 1, cls -> List.of(a, b)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not sorted best first");
    assertThatThrownBy(() -> CandidateShardWriter.write(new ByteArrayOutputStream(), 1, 1, 1, cls -> List.of(b, a)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than top-K 1");
  }

  static byte[] write(PerClassTopK topK, int p) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long written = CandidateShardWriter.write(topK, p, out);
    assertThat(written).isEqualTo(out.size());
    return out.toByteArray();
  }

  private static void readEverything(byte[] bytes) throws IOException {
    try (CandidateShardReader reader = CandidateShardReader.open(new ByteArrayInputStream(bytes), NAME)) {
      for (int cls = 0; cls < reader.classes(); cls++) {
        reader.readClass(cls);
      }
    }
  }
}
