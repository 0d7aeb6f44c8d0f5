package dev.semisup.worker.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The regular-file members of one tar shard, in archive order, with the checks that tell a whole
 * shard from one cut short: every error names the shard and the byte offset. Shared by the pool's
 * tar reader and the packed-shard reader, so both fail alike on a truncated upload.
 */
final class TarMembers implements Closeable {

  private static final int BUFFER = 1 << 16;
  private static final int RECORD = 512;

  private final String shard;
  private final Counted counted;
  private final TarArchiveInputStream tar;
  private boolean ended;
  private long dataEnd;

  TarMembers(String shard, InputStream in) {
    this.shard = shard;
    this.counted = new Counted(new BufferedInputStream(in, BUFFER));
    this.tar = new TarArchiveInputStream(counted);
  }

  String shard() {
    return shard;
  }

  /** The next regular file of this shard; null at its end, after checking the end is real. */
  TarArchiveEntry next() throws IOException {
    if (ended) {
      return null;
    }
    while (true) {
      TarArchiveEntry entry;
      try {
        entry = tar.getNextEntry();
      } catch (IOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith(shard)) {
          throw e;
        }
        throw truncatedOrCorrupt(e);
      }
      if (entry == null) {
        ended = true;
        // commons-compress reads a shard cut at a member boundary as a clean end; only a
        // zero end-of-archive record after the last member's data says the shard is whole.
        if (counted.offset < dataEnd + RECORD) {
          throw truncated("an end-of-archive record after the last member", null);
        }
        return null;
      }
      dataEnd = counted.offset + (entry.getSize() + RECORD - 1) / RECORD * RECORD;
      if (entry.isFile()) {
        return entry;
      }
    }
  }

  /** The bytes of the member {@link #next} returned last. */
  byte[] read(TarArchiveEntry entry) throws IOException {
    if (entry.getSize() > Integer.MAX_VALUE - 16) {
      throw new IOException(shard + ": member " + entry.getName() + " is too large (" + entry.getSize() + " bytes)");
    }
    // readNBytes grows its buffer as bytes arrive: a header declaring more than the shard holds
    // costs what the shard holds, not what the header says.
    byte[] bytes;
    try {
      bytes = tar.readNBytes((int) entry.getSize());
    } catch (IOException e) {
      throw truncated("member " + entry.getName() + " of " + entry.getSize() + " bytes", e);
    }
    if (bytes.length < entry.getSize()) {
      throw truncated("member " + entry.getName() + " of " + entry.getSize() + " bytes", null);
    }
    return bytes;
  }

  private IOException truncated(String expected, IOException cause) {
    return new IOException(shard + ": truncated at offset " + counted.offset + ": expected " + expected, cause);
  }

  private IOException truncatedOrCorrupt(IOException cause) {
    if (cause.getMessage() != null && cause.getMessage().toLowerCase(Locale.ROOT).contains("truncated")) {
      return truncated("the rest of the tar archive", cause);
    }
    return new IOException(shard + ": not a readable tar archive at offset " + counted.offset + ": " + cause.getMessage(), cause);
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }

  /** The member name up to the first '.' of its base name: "a/b/x.seg.png" has key "a/b/x". */
  static String keyOf(String member) {
    int base = member.lastIndexOf('/') + 1;
    int dot = member.indexOf('.', base);
    return dot < 0 ? member : member.substring(0, dot);
  }

  /** What follows the key's dot, lower case: "x.JPG" gives "jpg", "x.seg.png" gives "seg.png". */
  static String extensionOf(String member) {
    int base = member.lastIndexOf('/') + 1;
    int dot = member.indexOf('.', base);
    return dot < 0 ? "" : member.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** Counts the bytes the tar reader took, for offsets in error messages and the end check. */
  private static final class Counted extends FilterInputStream {
    long offset;

    Counted(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        offset++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int from, int length) throws IOException {
      int n = in.read(buffer, from, length);
      if (n > 0) {
        offset += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = in.skip(n);
      offset += skipped;
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
