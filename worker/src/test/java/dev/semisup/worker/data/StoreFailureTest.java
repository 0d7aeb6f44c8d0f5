package dev.semisup.worker.data;

import static dev.semisup.worker.data.DataFiles.encode;
import static dev.semisup.worker.data.DataFiles.rgb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.formats.IdxSource;
import dev.semisup.worker.data.formats.TarMembers;
import dev.semisup.worker.data.formats.TarShardSource;
import dev.semisup.worker.data.packed.PackedSamples;
import dev.semisup.worker.data.packed.PackedShards;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file that is really short or broken is bad data (exit 2); the same bytes cut short by the
 * store (a reset connection) are not: the error stays a plain IOException (exit 1), worth a retry.
 */
class StoreFailureTest {

  private static final ImageGeometry MNIST = new ImageGeometry(1, 28);
  private static final ImageGeometry RGB8 = new ImageGeometry(3, 8);

  @TempDir
  Path dir;

  /** Serves the file's bytes, then resets the connection after {@code cut} bytes. */
  private static final class ResetAfter extends TestFileBlobs {
    private final int cut;

    ResetAfter(int cut) {
      this.cut = cut;
    }

    @Override
    public InputStream open(String uri) throws IOException {
      byte[] bytes = super.open(uri).readAllBytes();
      return new FilterInputStream(new ByteArrayInputStream(bytes)) {
        private int served;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int from, int length) throws IOException {
          if (served >= cut) {
            throw new SocketException("Connection reset");
          }
          int n = super.read(buffer, from, Math.min(length, cut - served));
          served += Math.max(n, 0);
          return n;
        }
      };
    }
  }

  @Test
  void aTruncatedGzipIdxFileIsBadData() throws Exception {
    byte[] gz = DataFiles.gzip(DataFiles.idxImages(50, 28, 28));
    Path cut = Files.write(dir.resolve("images.gz"), Arrays.copyOf(gz, gz.length / 2));
    IdxSource source = new IdxSource(new TestFileBlobs(), TestFileBlobs.uri(cut), null, MNIST, Long.MAX_VALUE);

    assertThatThrownBy(() -> Passes.readAll(source))
        .isInstanceOf(BadDataException.class)
        .hasMessageStartingWith(TestFileBlobs.uri(cut) + ": truncated at offset ");
  }

  @Test
  void theSameGzipIdxFileCutByTheStoreIsNotBadData() throws Exception {
    byte[] gz = DataFiles.gzip(DataFiles.idxImages(50, 28, 28));
    Path whole = Files.write(dir.resolve("images.gz"), gz);
    IdxSource source = new IdxSource(new ResetAfter(gz.length / 2), TestFileBlobs.uri(whole), null, MNIST, Long.MAX_VALUE);

    assertThatThrownBy(() -> Passes.readAll(source))
        .isNotInstanceOf(BadDataException.class)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(TestFileBlobs.uri(whole) + ": reading from the store failed at offset ")
        .hasMessageEndingWith("Connection reset");
  }

  @Test
  void aTarShardCutByTheStoreIsNotBadDataButATruncatedOneIs() throws Exception {
    Map<String, byte[]> members = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      members.put(i + ".png", encode(rgb(i, 8, 8), "png"));
    }
    Path shard = DataFiles.tar(dir.resolve("whole/shard-0.tar"), members);
    byte[] bytes = Files.readAllBytes(shard);
    Path cut = DataFiles.write(dir.resolve("cut/shard-0.tar"), Arrays.copyOf(bytes, 1500));

    TarShardSource reset = new TarShardSource(new ResetAfter(1500), TestFileBlobs.uri(shard), false, true, RGB8, Long.MAX_VALUE);
    TarShardSource truncated = new TarShardSource(new TestFileBlobs(), TestFileBlobs.uri(cut), false, true, RGB8, Long.MAX_VALUE);

    assertThatThrownBy(() -> Passes.readAll(reset))
        .isNotInstanceOf(BadDataException.class)
        .hasMessageContaining("reading from the store failed");
    assertThatThrownBy(() -> Passes.readAll(truncated))
        .isInstanceOf(BadDataException.class)
        .hasMessageStartingWith(TestFileBlobs.uri(cut) + ": truncated at offset ");
    assertThat(bytes.length).isGreaterThan(1500);
  }

  @Test
  void aPackedShardCutByTheStoreIsNotBadDataButATruncatedOneIs() throws Exception {
    Map<String, byte[]> members = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      members.put(i + ".png", encode(rgb(i, 8, 8), "png"));
      members.put(i + ".cls", "1".getBytes());
    }
    Path shard = DataFiles.tar(dir.resolve("packed/shard-0.tar"), members);
    byte[] bytes = Files.readAllBytes(shard);
    assertThat(bytes.length).isGreaterThan(1500);

    // The packed readers (PackedShards, PackedSamples) read through TarMembers as the pool does.
    assertThatThrownBy(() -> readMembers(new ResetAfter(1500).open(TestFileBlobs.uri(shard))))
        .isNotInstanceOf(BadDataException.class)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("reading from the store failed at offset ")
        .hasMessageEndingWith("Connection reset");
    assertThatThrownBy(() -> readMembers(new ByteArrayInputStream(Arrays.copyOf(bytes, 1500))))
        .isInstanceOf(BadDataException.class)
        .hasMessageStartingWith("packed/shard-0.tar: truncated at offset ");
  }

  private static void readMembers(InputStream in) throws IOException {
    try (TarMembers members = new TarMembers("packed/shard-0.tar", in)) {
      for (var entry = members.next(); entry != null; entry = members.next()) {
        members.read(entry);
      }
    }
  }
}
