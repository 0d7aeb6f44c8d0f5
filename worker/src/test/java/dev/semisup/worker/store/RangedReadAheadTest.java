package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The read-ahead's order and failures over objects held in memory, where a range can be made to fail. */
class RangedReadAheadTest {

  private static final String URI = "s3://pool/shard-0.tar";

  /** One remote object whose range at {@code failingOffset} cannot be read. */
  private record OneObject(byte[] bytes, long failingOffset) implements Blobs {
    @Override
    public InputStream open(String uri) {
      throw new AssertionError("the read-ahead reads ranges only");
    }

    @Override
    public InputStream openRange(String uri, long offset, long length) throws IOException {
      if (offset == failingOffset) {
        throw new IOException("the store gave up after its retries");
      }
      int from = (int) Math.min(offset, bytes.length);
      return new ByteArrayInputStream(bytes, from, (int) Math.min(length, bytes.length - from));
    }

    @Override
    public List<String> list(String folderUri) {
      return List.of(URI);
    }

    @Override
    public long size(String uri) {
      return bytes.length;
    }

    @Override
    public boolean remote(String uri) {
      return true;
    }
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    new Random(1).nextBytes(bytes);
    return bytes;
  }

  @Test
  void aFileComesBackByteForByteWithItsSizeAskedOfTheStore() throws IOException {
    byte[] object = random(1_000);
    try (FileSequence files = new RangedReadAhead(new OneObject(object, -1), List.of(new Blobs.Sized(URI, -1)),
        new ReadAheadSettings(3, 64))) {
      assertThat(files.nextFile().readAllBytes()).isEqualTo(object);
    }
  }

  @Test
  void aRangeThatFailsFailsEveryLaterReadNamingTheFileAndOffsetAndIsNeverPassedOver() throws IOException {
    byte[] object = random(1_000);
    try (FileSequence files = new RangedReadAhead(new OneObject(object, 200), List.of(new Blobs.Sized(URI, 1_000)),
        new ReadAheadSettings(3, 100))) {
      InputStream file = files.nextFile();

      assertThat(file.readNBytes(200)).isEqualTo(Arrays.copyOf(object, 200));
      assertThatThrownBy(file::read).isInstanceOf(IOException.class)
          .hasMessageContaining(URI + ": reading 100 bytes at offset 200 failed: the store gave up after its retries");
      assertThatThrownBy(file::read).as("the bytes after the failed range are not handed out")
          .isInstanceOf(IOException.class).hasMessageContaining("at offset 200");
    }
  }
}
