package dev.semisup.worker.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CandidateShardsTest {

  private static final String NAME = "candidates/shard-00001-of-00004.bin";
  private static final ImageTotals TOTALS = new ImageTotals(2, 0);

  @Test
  void roundTripsEveryClassExactly() throws IOException {
    Random random = new Random(11);
    for (int trial = 0; trial < 200; trial++) {
      int classes = 1 + random.nextInt(6);
      int k = 1 + random.nextInt(8);
      int p = 1 + random.nextInt(classes);
      PerClassTopK topK = RandomPool.draw(random, classes, random.nextInt(30)).select(k, p, 1, 0);
      ImageTotals totals = new ImageTotals(random.nextLong() >>> 1, random.nextInt(3) == 0 ? 0 : random.nextLong() >>> 1);

      byte[] bytes = write(topK, p, totals);

      try (CandidateShardReader reader = CandidateShardReader.open(new ByteArrayInputStream(bytes), NAME)) {
        assertThat(reader.classes()).isEqualTo(classes);
        assertThat(reader.k()).isEqualTo(k);
        assertThat(reader.topP()).isEqualTo(p);
        assertThat(reader.imageTotals()).as("trial %d", trial).contains(totals);
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
  void rangedReadsGiveEveryClassExactlyInAnyOrderAndReadOnlyWhatIsAsked() throws IOException {
    Random random = new Random(12);
    for (int trial = 0; trial < 100; trial++) {
      int classes = 1 + random.nextInt(6);
      int k = 1 + random.nextInt(30);
      int p = 1 + random.nextInt(classes);
      PerClassTopK topK = RandomPool.draw(random, classes, random.nextInt(80)).select(k, p, 1, 0);
      ImageTotals totals = new ImageTotals(random.nextInt(1_000_000), random.nextInt(1_000));
      byte[] bytes = write(topK, p, totals);
      long[] moved = new long[1];

      CandidateShardReader reader = CandidateShardReader.open(ranges(bytes, moved), NAME);
      assertThat(moved[0]).as("header and class index only").isEqualTo(36 + classes * 12L + 8);
      assertThat(reader.imageTotals()).contains(totals);
      for (int cls = classes - 1; cls >= 0; cls--) {
        assertThat(reader.readClass(cls)).as("trial %d class %d", trial, cls).isEqualTo(topK.sorted(cls));
      }
      assertThat(moved[0]).isEqualTo(bytes.length);

      int cls = random.nextInt(classes);
      int first = 1 + random.nextInt(4);
      int later = 1 + random.nextInt(3);
      long before = moved[0];
      CandidateShardReader.ClassEntries entries = reader.openClass(cls, first, later);
      int taken = topK.size(cls) == 0 ? 0 : 1 + random.nextInt(topK.size(cls));
      for (int i = 0; i < taken; i++) {
        assertThat(entries.next()).isEqualTo(topK.sorted(cls).get(i));
      }
      long used = topK.sorted(cls).subList(0, taken).stream().mapToLong(CandidateShardWriter::entryBytes).sum();
      long largest = topK.sorted(cls).stream().mapToLong(CandidateShardWriter::entryBytes).max().orElse(0);
      long mean = topK.size(cls) == 0 ? 0 : (long) Math.ceil((double) topK.sorted(cls).stream()
          .mapToLong(CandidateShardWriter::entryBytes).sum() / topK.size(cls));
      assertThat(moved[0] - before).as("trial %d: %d entries taken of class %d", trial, taken, cls)
          .isLessThanOrEqualTo(used + largest + Math.max(first, later) * mean);
    }
  }

  @Test
  void aShardTruncatedUnderRangedReadsNamesTheFileTheClassAndTheByte() throws IOException {
    PerClassTopK topK = RandomPool.draw(new Random(5), 3, 40).select(6, 2, 1, 0);
    byte[] whole = write(topK, 2);
    byte[] cut = Arrays.copyOf(whole, whole.length - 5);

    CandidateShardReader reader = CandidateShardReader.open(ranges(cut, new long[1]), NAME);
    assertThat(reader.readClass(0)).isEqualTo(topK.sorted(0));
    assertThatThrownBy(() -> reader.readClass(2))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(NAME + ": truncated in class 2 at byte " + cut.length);
    assertThatThrownBy(() -> CandidateShardReader.open(ranges(Arrays.copyOf(whole, 30), new long[1]), NAME))
        .isInstanceOf(IOException.class).hasMessageContaining(NAME + ": truncated in the header at byte 30");
    assertThatThrownBy(() -> CandidateShardReader.open(ranges(Arrays.copyOf(whole, 46), new long[1]), NAME))
        .isInstanceOf(IOException.class).hasMessageContaining(NAME + ": truncated in the class index at byte 46");
  }

  /** Ranged reads of an in-memory object, as a store gives them (short past the end), counting the bytes. */
  static CandidateShardReader.ByteRanges ranges(byte[] object, long[] moved) {
    return (offset, length) -> {
      int from = (int) Math.min(offset, object.length);
      int to = (int) Math.min(offset + length, object.length);
      moved[0] += to - from;
      return new ByteArrayInputStream(object, from, to - from);
    };
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
    ByteBuffer.wrap(future).putInt(4, 4);
    assertThatThrownBy(() -> readEverything(future))
        .isInstanceOf(IOException.class)
        .hasMessage(NAME + ": candidate shard version 4, this worker reads versions 2 and 3");
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
  void negativeImageTotalsInTheHeaderAreRefused() throws IOException {
    byte[] bytes = write(RandomPool.draw(new Random(2), 2, 10).select(3, 2, 1, 0), 2, new ImageTotals(10, 3));
    ByteBuffer.wrap(bytes).putLong(28, -1); // images skipped

    assertThatThrownBy(() -> readEverything(bytes))
        .isInstanceOf(IOException.class).hasMessage(NAME + ": corrupt header (images scored 10, skipped -1)");
    assertThatThrownBy(() -> CandidateShardReader.open(ranges(bytes, new long[1]), NAME))
        .isInstanceOf(IOException.class).hasMessage(NAME + ": corrupt header (images scored 10, skipped -1)");
  }

  /**
   * {@code candidate-shards/version-2.bin} was written by the version-2 writer (commit 2b634a9,
   * before headers carried image totals) from {@code RandomPool.draw(new Random(27), 4, 40)
   * .select(5, 2, 1, 0)} with top-P 2: a shard an infer pod of an older worker left in the store.
   */
  @Test
  void aVersionTwoShardWrittenByTheOlderWorkerIsStillReadWithoutTotals() throws IOException {
    byte[] bytes = versionTwoFixture();
    PerClassTopK topK = RandomPool.draw(new Random(27), 4, 40).select(5, 2, 1, 0);
    assertThat(topK.total()).as("the fixture's pool has candidates in every class").isEqualTo(20);

    try (CandidateShardReader reader = CandidateShardReader.open(new ByteArrayInputStream(bytes), NAME)) {
      assertThat(reader.imageTotals()).isEmpty();
      for (int cls = 0; cls < 4; cls++) {
        assertThat(reader.readClass(cls)).isEqualTo(topK.sorted(cls));
      }
    }
    long[] moved = new long[1];
    CandidateShardReader ranged = CandidateShardReader.open(ranges(bytes, moved), NAME);
    assertThat(ranged.imageTotals()).isEmpty();
    assertThat(moved[0]).as("a header range of the current length, then the index from byte 20")
        .isEqualTo(36 + 4 * 12 + 8);
    for (int cls = 3; cls >= 0; cls--) {
      assertThat(ranged.readClass(cls)).isEqualTo(topK.sorted(cls));
    }
  }

  @Test
  void versionTwoShardsMadeForTestsAreTheOlderWritersBytes() throws IOException {
    PerClassTopK topK = RandomPool.draw(new Random(27), 4, 40).select(5, 2, 1, 0);

    assertThat(VersionTwoShards.of(write(topK, 2))).isEqualTo(versionTwoFixture());
  }

  private static byte[] versionTwoFixture() throws IOException {
    try (InputStream in = CandidateShardsTest.class.getResourceAsStream("/candidate-shards/version-2.bin")) {
      assertThat(in).as("test resource candidate-shards/version-2.bin").isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void refusesToWriteUnsortedOrOversizedClasses() {
    Candidate a = new Candidate(1, "a", 0, 0.5f, new int[] {0}, new float[] {0.5f});
    Candidate b = new Candidate(2, "b", 0, 0.9f, new int[] {0}, new float[] {0.9f});

    assertThatThrownBy(() -> CandidateShardWriter.write(new ByteArrayOutputStream(), 1, 2, 1, TOTALS, cls -> List.of(a, b)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not sorted best first");
    assertThatThrownBy(() -> CandidateShardWriter.write(new ByteArrayOutputStream(), 1, 1, 1, TOTALS, cls -> List.of(b, a)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than top-K 1");
  }

  /** A shard whose infer pass scored as many images as it kept candidates and skipped none. */
  static byte[] write(PerClassTopK topK, int p) throws IOException {
    return write(topK, p, new ImageTotals(topK.total(), 0));
  }

  static byte[] write(PerClassTopK topK, int p, ImageTotals totals) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long written = CandidateShardWriter.write(topK, p, totals, out);
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
