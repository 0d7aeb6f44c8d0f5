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

class SampledIndexTest {

  private static final String NAME = "index/part-00000.bin";

  @Test
  void roundTripsExactly() throws IOException {
    Random random = new Random(23);
    for (int trial = 0; trial < 200; trial++) {
      int classes = 1 + random.nextInt(6);
      int p = 1 + random.nextInt(classes);
      List<Candidate> entries = RandomPool.draw(random, classes, random.nextInt(30)).bruteIndex(1 + random.nextInt(8), p);

      byte[] bytes = write(entries, classes, p);

      try (SampledIndex.Reader reader = new SampledIndex.Reader(new ByteArrayInputStream(bytes), NAME)) {
        assertThat(reader.classes()).isEqualTo(classes);
        assertThat(reader.topP()).isEqualTo(p);
      }
      assertThat(SampledIndex.readAll(new ByteArrayInputStream(bytes), NAME)).as("trial %d", trial).isEqualTo(entries);
    }
  }

  @Test
  void keysKeepTheirCharacters() throws IOException {
    List<Candidate> entries = List.of(
        new Candidate(Long.MAX_VALUE, "tar/shard-7.tar#Ünïcødé 画像.png", 1, 1f, new int[] {1, 0}, new float[] {1f, 0f}),
        new Candidate(0, "", 1, 0f, new int[] {1}, new float[] {0f}));

    assertThat(SampledIndex.readAll(new ByteArrayInputStream(write(entries, 2, 2)), NAME)).isEqualTo(entries);
  }

  @Test
  void aTruncatedPartNamesTheFileAndSaysTruncated() throws IOException {
    byte[] bytes = write(RandomPool.draw(new Random(4), 3, 12).bruteIndex(3, 2), 3, 2);

    for (int length = 0; length < bytes.length; length++) {
      byte[] cut = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> SampledIndex.readAll(new ByteArrayInputStream(cut), NAME))
          .as("cut at %d of %d", length, bytes.length)
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith(NAME + ": truncated");
    }
  }

  @Test
  void aPartWhoseWriterDidNotFinishIsRefused() throws IOException {
    List<Candidate> entries = RandomPool.draw(new Random(9), 2, 8).bruteIndex(4, 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SampledIndex.Writer writer = new SampledIndex.Writer(out, 2, 1)) {
      for (Candidate c : entries) {
        writer.accept(c);
      }
      // no finish(): the stage failed after its last entry
    }

    assertThatThrownBy(() -> SampledIndex.readAll(new ByteArrayInputStream(out.toByteArray()), NAME))
        .isInstanceOf(IOException.class)
        .hasMessage(NAME + ": truncated at byte " + out.size() + " after " + entries.size()
            + " entries (no trailer: its writer did not finish)");
  }

  @Test
  void aWrongMagicIsRefusedClearly() throws IOException {
    byte[] bytes = write(List.of(), 2, 1);
    ByteBuffer.wrap(bytes).putInt(0, CandidateShardWriter.MAGIC);

    assertThatThrownBy(() -> SampledIndex.readAll(new ByteArrayInputStream(bytes), NAME))
        .isInstanceOf(IOException.class)
        .hasMessage(NAME + ": not a sampled index (magic 0x53534353 \"SSCS\", expected 0x53534958 \"SSIX\")");
  }

  @Test
  void refusesEntriesOutOfIndexOrder() throws IOException {
    Candidate class1 = new Candidate(1, "a", 1, 0.5f, new int[] {1}, new float[] {0.5f});
    Candidate class0 = new Candidate(2, "b", 0, 0.9f, new int[] {0}, new float[] {0.9f});
    try (SampledIndex.Writer writer = new SampledIndex.Writer(new ByteArrayOutputStream(), 2, 1)) {
      writer.accept(class1);

      assertThatThrownBy(() -> writer.accept(class0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not sorted by class");
    }
  }

  static byte[] write(List<Candidate> entries, int classes, int topP) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SampledIndex.Writer writer = new SampledIndex.Writer(out, classes, topP)) {
      for (Candidate c : entries) {
        writer.accept(c);
      }
      writer.finish();
      assertThat(writer.entries()).isEqualTo(entries.size());
    }
    return out.toByteArray();
  }
}
