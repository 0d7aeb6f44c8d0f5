package dev.semisup.worker.data.decode;

import static dev.semisup.worker.data.DataFiles.encode;
import static dev.semisup.worker.data.DataFiles.rgb;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.Passes;
import dev.semisup.worker.data.TestFileBlobs;
import dev.semisup.worker.data.formats.FolderSource;
import dev.semisup.worker.data.formats.TarShardSource;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.store.NotARegularFileException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No header and no file decides how much memory one image costs: a tar header's declared size is
 * read no further than the shard really holds, an image over {@link ImageBytes#MAX_BYTES} is
 * skipped and counted unread, and a path that is no regular file (a FIFO) is never opened.
 */
class ImageByteBudgetTest {

  private static final ImageGeometry RGB8 = new ImageGeometry(3, 8);
  private static final long TWO_GIGABYTES = 2_000_000_000L;

  @TempDir
  Path dir;

  private final TestFileBlobs blobs = new TestFileBlobs();

  @Test
  void aSmallShardWhoseHeaderDeclaresTwoGigabytesFailsAsTruncatedWithoutAllocatingThem() throws Exception {
    Path shard = dir.resolve("pool/shard-0.tar");
    write(shard, lyingTar("bomb.png", TWO_GIGABYTES, 100));
    assertThat(Files.size(shard)).isEqualTo(612);
    TarShardSource pool = new TarShardSource(blobs, TestFileBlobs.uri(shard), false, true, RGB8, Long.MAX_VALUE);

    long before = allocatedOnThisThread();
    assertThatThrownBy(() -> Passes.readAll(pool))
        .isInstanceOf(BadDataException.class)
        .hasMessageContaining(TestFileBlobs.uri(shard) + ": truncated");
    assertThat(allocatedOnThisThread() - before).isLessThan(64L << 20);
  }

  @Test
  void aLabeledShardWhoseHeaderDeclaresTwoGigabytesFailsAsTruncatedWithoutAllocatingThem() throws Exception {
    Path shard = dir.resolve("set/shard-0.tar");
    write(shard, lyingTar("bomb.png", TWO_GIGABYTES, 100));
    TarShardSource labeled = new TarShardSource(blobs, TestFileBlobs.uri(shard), true, false, RGB8, Long.MAX_VALUE);

    long before = allocatedOnThisThread();
    assertThatThrownBy(() -> Passes.readAll(labeled)).isInstanceOf(BadDataException.class)
        .hasMessageContaining("truncated");
    assertThat(allocatedOnThisThread() - before).isLessThan(64L << 20);
  }

  @Test
  void aTarImageOverTheByteBudgetIsSkippedAndCountedInAPool() throws Exception {
    Path shard = tarWithAnImageOverTheBudget(dir.resolve("pool/shard-0.tar"));
    TarShardSource pool = new TarShardSource(blobs, TestFileBlobs.uri(shard), false, true, RGB8, Long.MAX_VALUE);

    try (ImageStream stream = pool.open()) {
      assertThat(stream.next().ordinal()).isEqualTo(0);
      assertThat(stream.next().ordinal()).isEqualTo(2);
      assertThat(stream.next()).isNull();
      assertThat(stream.skipped()).isEqualTo(1);
    }
  }

  @Test
  void aTarImageOverTheByteBudgetIsRefusedUnreadNamingTheBudget() throws Exception {
    Path shard = tarWithAnImageOverTheBudget(dir.resolve("set/shard-0.tar"));
    TarShardSource labeled = new TarShardSource(blobs, TestFileBlobs.uri(shard), true, false, RGB8, Long.MAX_VALUE);

    assertThatThrownBy(() -> Passes.readAll(labeled))
        .isInstanceOf(BadDataException.class)
        .hasMessage(TestFileBlobs.uri(shard) + ": member big: oversized image: holds " + (ImageBytes.MAX_BYTES + 1L)
            + " bytes, beyond the budget of " + ImageBytes.MAX_BYTES + " bytes per image");
  }

  private static Path tarWithAnImageOverTheBudget(Path shard) throws IOException {
    Files.createDirectories(shard.getParent());
    try (OutputStream out = Files.newOutputStream(shard); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      member(tar, "a.png", encode(rgb(0, 8, 8), "png"));
      TarArchiveEntry big = new TarArchiveEntry("big.png");
      big.setSize(ImageBytes.MAX_BYTES + 1L);
      tar.putArchiveEntry(big);
      byte[] zeros = new byte[1 << 20];
      for (long left = ImageBytes.MAX_BYTES + 1L; left > 0; left -= zeros.length) {
        tar.write(zeros, 0, (int) Math.min(left, zeros.length));
      }
      tar.closeArchiveEntry();
      member(tar, "c.png", encode(rgb(2, 8, 8), "png"));
    }
    return shard;
  }

  @Test
  void aSparseThreeGigabyteFileNamedPngInAFolderPoolIsSkippedAndCounted() throws Exception {
    write(dir.resolve("pool/0.png"), encode(rgb(0, 8, 8), "png"));
    try (RandomAccessFile sparse = new RandomAccessFile(dir.resolve("pool/1.png").toFile(), "rw")) {
      sparse.setLength(3_000_000_000L);
    }
    write(dir.resolve("pool/2.png"), encode(rgb(2, 8, 8), "png"));
    FolderSource pool = new FolderSource(blobs, TestFileBlobs.uri(dir.resolve("pool")), false, true, RGB8, Long.MAX_VALUE);

    assertThat(Passes.ordinals(Passes.readAll(pool))).containsExactly(0L, 2L);
    assertThat(Passes.skipped(pool)).isEqualTo(1);
  }

  @Test
  void aFileOverTheBudgetInALabeledSetFailsNamingItAndTheBudget() throws Exception {
    write(dir.resolve("set/a/0.png"), encode(rgb(0, 8, 8), "png"));
    Path big = dir.resolve("set/b/big.png");
    Files.createDirectories(big.getParent());
    try (RandomAccessFile sparse = new RandomAccessFile(big.toFile(), "rw")) {
      sparse.setLength(ImageBytes.MAX_BYTES + 1L);
    }
    FolderSource labeled = new FolderSource(blobs, TestFileBlobs.uri(dir.resolve("set")), true, false, RGB8, Long.MAX_VALUE);

    assertThatThrownBy(() -> Passes.readAll(labeled))
        .isInstanceOf(BadDataException.class)
        .hasMessage(TestFileBlobs.uri(big) + ": oversized image: holds more than " + ImageBytes.MAX_BYTES
            + " bytes, beyond the budget of " + ImageBytes.MAX_BYTES + " bytes per image");
  }

  @Test
  void aFileAtTheBudgetIsReadWhole() throws Exception {
    Path file = write(dir.resolve("at.png"), new byte[1000]);

    assertThat(ImageBytes.ofFile(blobs, TestFileBlobs.uri(file), 1000)).hasSize(1000);
    assertThatThrownBy(() -> ImageBytes.ofFile(blobs, TestFileBlobs.uri(file), 999))
        .isInstanceOf(ImageBytes.OversizedFileException.class);
  }

  @Test
  void aFifoIsRefusedByTheFileStoreInsteadOfBlockingTheReader() throws Exception {
    Path fifo = fifo(dir.resolve("pool/stuck.png"));

    Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      assertThatThrownBy(() -> new FileBlobs().open(TestFileBlobs.uri(fifo)))
          .isInstanceOf(NotARegularFileException.class)
          .hasMessageContaining("is not a regular file");
      assertThatThrownBy(() -> ImageBytes.ofFile(new FileBlobs(), TestFileBlobs.uri(fifo)))
          .isInstanceOf(ImageBytes.SpecialFileException.class);
    });
  }

  @Test
  void aSymbolicLinkToAnImageIsFollowed() throws Exception {
    Path image = write(dir.resolve("real.png"), encode(rgb(0, 8, 8), "png"));
    Path link = Files.createSymbolicLink(dir.resolve("link.png"), image);

    assertThat(ImageBytes.ofFile(new FileBlobs(), TestFileBlobs.uri(link))).isEqualTo(Files.readAllBytes(image));
  }

  static Path fifo(Path path) throws IOException, InterruptedException {
    Files.createDirectories(path.getParent());
    Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
    return path;
  }

  /**
   * One tar header declaring {@code declared} bytes, then {@code present} bytes of data and no
   * more: what a truncated or hand-made shard looks like to the reader.
   */
  static byte[] lyingTar(String name, long declared, int present) {
    byte[] header = new byte[512];
    put(header, 0, name);
    put(header, 100, "0000644");
    put(header, 108, "0000000");
    put(header, 116, "0000000");
    put(header, 124, String.format("%011o", declared));
    put(header, 136, "00000000000");
    header[156] = '0';
    put(header, 257, "ustar");
    put(header, 263, "00");
    Arrays.fill(header, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
    byte[] shard = Arrays.copyOf(header, 512 + present);
    Arrays.fill(shard, 512, shard.length, (byte) 7);
    return shard;
  }

  private static void put(byte[] header, int at, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, header, at, bytes.length);
  }

  private static void member(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(bytes.length);
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private static long allocatedOnThisThread() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }
}
