package dev.semisup.worker.data.formats;

import static dev.semisup.worker.data.DataFiles.cls;
import static dev.semisup.worker.data.DataFiles.encode;
import static dev.semisup.worker.data.DataFiles.pixels;
import static dev.semisup.worker.data.DataFiles.rgb;
import static dev.semisup.worker.data.DataFiles.tar;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageRef;
import dev.semisup.worker.data.Passes;
import dev.semisup.worker.data.TestFileBlobs;
import dev.semisup.worker.data.decode.ImageGeometry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarShardSourceTest {

  private static final ImageGeometry RGB8 = new ImageGeometry(3, 8);

  @TempDir
  Path dir;

  private final TestFileBlobs blobs = new TestFileBlobs();

  private TarShardSource source(Path path, boolean skipCorrupt) {
    return new TarShardSource(blobs, TestFileBlobs.uri(path), true, skipCorrupt, RGB8, Long.MAX_VALUE);
  }

  /** A shard of samples first..first+labels.length-1, keys "s<i>", with .cls members. */
  private Path shard(Path file, int first, int... labels) throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i++) {
      int image = first + i;
      members.put("s" + image + ".cls", cls(labels[i]));
      members.put("s" + image + ".png", encode(rgb(image, 8, 8), "png"));
    }
    return tar(file, members);
  }

  @Test
  void groupsMembersByKeyAcrossSortedShards() throws IOException {
    shard(dir.resolve("shards/shard-00001.tar"), 3, 7, 8);
    shard(dir.resolve("shards/shard-00000.tar"), 0, 4, 5, 6);

    List<ImageRecord> images = Passes.readAll(source(dir.resolve("shards"), false));

    // file index x 2^24 + sample in file: a shard reading file 1 alone knows its ordinals
    long second = 1L << 24;
    assertThat(Passes.ordinals(images)).containsExactly(0L, 1L, 2L, second, second + 1);
    assertThat(images).extracting(ImageRecord::label).containsExactly(4, 5, 6, 7, 8);
    assertThat(images).extracting(image -> ImageRef.parse(image.key()).member())
        .containsExactly("s0.png", "s1.png", "s2.png", "s3.png", "s4.png");
    assertThat(images).extracting(image -> ImageRef.parse(image.key()).file())
        .allSatisfy(file -> assertThat(file).startsWith("file:///").contains("/shards/shard-0000"));
    for (int i = 0; i < images.size(); i++) {
      assertThat(images.get(i).pixels()).isEqualTo(pixels(i, 3 * 64));
    }
  }

  @Test
  void keyIsTheNameUpToTheFirstDotOfTheBaseName() throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("dir.v2/a.b/x.seg.png", new byte[] {9}); // not an image member: extension is seg.png
    members.put("dir.v2/a.b/x.jpeg", encode(rgb(0, 8, 8), "png"));
    members.put("dir.v2/a.b/x.cls", cls(2));
    members.put("dir.v2/a.b/y.json", "{}".getBytes()); // a sample without an image gets no ordinal
    members.put("dir.v2/a.b/z.PNG", encode(rgb(1, 8, 8), "png"));
    Path file = tar(dir.resolve("one.tar"), members);

    List<ImageRecord> images = Passes.readAll(source(file, false));

    assertThat(images).extracting(image -> ImageRef.parse(image.key()).member())
        .containsExactly("dir.v2/a.b/x.jpeg", "dir.v2/a.b/z.PNG");
    // The reference's byte range is the member's data: a ranged read gets exactly its bytes.
    for (int i = 0; i < 2; i++) {
      ImageRef ref = ImageRef.parse(images.get(i).key());
      assertThat(ref.ranged()).isTrue();
      byte[] member = members.get(ref.member());
      try (var in = new dev.semisup.worker.store.FileBlobs().openRange(ref.file(), ref.offset(), ref.length())) {
        assertThat(in.readAllBytes()).isEqualTo(member);
      }
    }
    assertThat(images).extracting(ImageRecord::label).containsExactly(2, ImageRecord.UNLABELED);
    assertThat(Passes.ordinals(images)).containsExactly(0L, 1L);
    assertThat(TarMembers.keyOf("a/b.c/d.e.f")).isEqualTo("a/b.c/d");
    assertThat(TarMembers.extensionOf("a/b.c/d.E.F")).isEqualTo("e.f");
  }

  @Test
  void shardPredicateYieldsExactlyItsOrdinalsAndLabelScanSkipsImages() throws IOException {
    shard(dir.resolve("shards/a.tar"), 0, 0, 1, 2, 3);
    shard(dir.resolve("shards/b.tar"), 4, 4, 5, 6);
    TarShardSource source = source(dir.resolve("shards"), false);

    List<ImageRecord> part = Passes.readAll(source, ordinal -> ordinal % 3 == 1);

    assertThat(Passes.ordinals(part)).containsExactly(1L, 1L << 24);
    assertThat(part).extracting(ImageRecord::label).containsExactly(1, 4);
    assertThat(part.get(1).pixels()).isEqualTo(pixels(4, 3 * 64));
    List<Integer> labels = new ArrayList<>();
    source.scanLabels((ordinal, label) -> labels.add(label));
    assertThat(labels).containsExactly(0, 1, 2, 3, 4, 5, 6);
  }

  @Test
  void limitStopsEarly() throws IOException {
    shard(dir.resolve("a.tar"), 0, 0, 1, 2, 3);
    TarShardSource limited = new TarShardSource(blobs, TestFileBlobs.uri(dir.resolve("a.tar")), true, false, RGB8, 2);

    assertThat(Passes.ordinals(Passes.readAll(limited))).containsExactly(0L, 1L);
  }

  @Test
  void poolSourceIgnoresClsMembers() throws IOException {
    Path file = shard(dir.resolve("a.tar"), 0, 3, 4);
    TarShardSource pool = new TarShardSource(blobs, TestFileBlobs.uri(file), false, true, RGB8, Long.MAX_VALUE);

    assertThat(Passes.readAll(pool)).extracting(ImageRecord::label).containsOnly(ImageRecord.UNLABELED).hasSize(2);
  }

  @Test
  void truncatedInsideAMemberNamesShardAndOffset() throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      members.put("s" + i + ".png", encode(rgb(i, 8, 8), "png"));
    }
    Path file = tar(dir.resolve("a.tar"), members);
    long dataEnd = members.values().stream().mapToLong(data -> 512 + (data.length + 511) / 512 * 512).sum();
    int cut = (int) (dataEnd - 512 + 100); // inside the last image's data
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), cut));

    // Read (wanted) or skipped (unwanted): the missing bytes are found either way.
    for (boolean wanted : new boolean[] {true, false}) {
      assertThatThrownBy(() -> Passes.readAll(source(file, false), ordinal -> wanted))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith(TestFileBlobs.uri(file) + ": truncated at offset ")
          .satisfies(e -> assertThat(offsetIn(e.getMessage())).isBetween(cut - 512L, (long) cut));
    }
  }

  @Test
  void truncatedAtAMemberBoundaryIsStillTruncated() throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("a.png", encode(rgb(0, 8, 8), "png"));
    members.put("a.cls", cls(1));
    Path file = tar(dir.resolve("a.tar"), members);
    byte[] whole = Files.readAllBytes(file);
    long end = 512 + (members.get("a.png").length + 511) / 512 * 512 + 512 + 512;
    Files.write(file, Arrays.copyOf(whole, (int) end));

    assertThatThrownBy(() -> Passes.readAll(source(file, false)))
        .hasMessage(TestFileBlobs.uri(file) + ": truncated at offset " + end
            + ": expected an end-of-archive record after the last member");
  }

  @Test
  void notATarNamesTheShard() throws IOException {
    Path file = write(dir.resolve("bad.tar"), "this is not a tar archive at all".repeat(40).getBytes());

    assertThatThrownBy(() -> Passes.readAll(source(file, true)))
        .hasMessageStartingWith(TestFileBlobs.uri(file) + ": ");
  }

  @Test
  void corruptImageInAPoolShardIsSkippedAndCounted() throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("a.png", encode(rgb(0, 8, 8), "png"));
    members.put("b.jpg", "not a jpeg".getBytes());
    members.put("c.png", encode(rgb(2, 8, 8), "png"));
    Path file = tar(dir.resolve("pool.tar"), members);
    TarShardSource pool = source(file, true);

    List<ImageRecord> images = Passes.readAll(pool);

    assertThat(Passes.ordinals(images)).containsExactly(0L, 2L);
    assertThat(images.get(1).pixels()).isEqualTo(pixels(2, 3 * 64));
    assertThat(Passes.skipped(pool)).isEqualTo(1);
  }

  @Test
  void aSecondImageOfOneKeyInAPoolIsSkippedAndCounted() throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("a.png", encode(rgb(0, 8, 8), "png"));
    members.put("a.jpg", encode(rgb(1, 8, 8), "jpg"));
    members.put("b.png", encode(rgb(2, 8, 8), "png"));
    Path file = tar(dir.resolve("pool.tar"), members);
    TarShardSource pool = source(file, true);

    List<ImageRecord> images = Passes.readAll(pool);

    assertThat(images).extracting(image -> ImageRef.parse(image.key()).member()).containsExactly("a.png", "b.png");
    assertThat(Passes.skipped(pool)).as("a.jpg, dropped, is counted").isEqualTo(1);
  }

  @Test
  void aSecondImageOfOneKeyInALabeledShardIsAnErrorNamingIt() throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("a.png", encode(rgb(0, 8, 8), "png"));
    members.put("a.jpg", encode(rgb(1, 8, 8), "jpg"));
    Path file = tar(dir.resolve("labeled.tar"), members);

    assertThatThrownBy(() -> Passes.readAll(source(file, false)))
        .hasMessageStartingWith(TestFileBlobs.uri(file) + ": member a.jpg: a second image of the same sample key");
  }

  @Test
  void aMostlyUnreadablePoolLogsTheFirstSkippedImagesThenASummaryNotALinePerImage() throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("good.png", encode(rgb(0, 8, 8), "png"));
    for (int i = 0; i < 30; i++) {
      members.put(String.format("broken-%02d.jpg", i), "not a jpeg".getBytes());
    }
    TarShardSource pool = source(tar(dir.resolve("pool.tar"), members), true);
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        CorruptImages.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
        new ch.qos.logback.core.read.ListAppender<>();
    events.start();
    log.addAppender(events);
    try {
      assertThat(Passes.skipped(pool)).isEqualTo(30);
    } finally {
      log.detachAppender(events);
    }

    List<String> lines = events.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.subList(0, 5)).allSatisfy(line -> assertThat(line).startsWith("Skipping ").contains(": member broken-"));
    assertThat(lines.get(5)).isEqualTo("Skipped 25 more images; 30 in this pass in all");
  }

  @Test
  void corruptImageInALabeledShardIsAnErrorNamingIt() throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("a.png", encode(rgb(0, 8, 8), "png"));
    members.put("b.jpg", "not a jpeg".getBytes());
    Path file = tar(dir.resolve("labeled.tar"), members);

    assertThatThrownBy(() -> Passes.readAll(source(file, false)))
        .hasMessageStartingWith(TestFileBlobs.uri(file) + ": member b: corrupt image: ");
  }

  @Test
  void clsThatIsNotANumberNamesTheMember() throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("a.png", encode(rgb(0, 8, 8), "png"));
    members.put("a.cls", "cat".getBytes());
    Path file = tar(dir.resolve("a.tar"), members);

    assertThatThrownBy(() -> Passes.readAll(source(file, false)))
        .hasMessage(TestFileBlobs.uri(file) + ": member a.cls holds 'cat', not a class number");
  }

  private static long offsetIn(String message) {
    String rest = message.substring(message.indexOf("offset ") + 7);
    return Long.parseLong(rest.substring(0, rest.indexOf(':')));
  }
}
