package dev.semisup.worker.data.formats;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.store.ObjectChangedException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The regular-file members of one tar shard, in archive order, with the checks that tell a whole
 * shard from one cut short: every error names the shard and the byte offset. The one tar reader of
 * the worker: the pool's {@link TarShardSource}, the packed-shard readers and the report read
 * through it, so all fail alike. A shard that is short or not a tar is {@link BadDataException}
 * (exit 2); the same bytes cut short by the store stay a plain IOException (exit 1, worth a retry),
 * told apart by {@link SourceFailures} under the tar parser.
 */
public final class TarMembers implements Closeable {

  private static final int BUFFER = 1 << 16;
  private static final int RECORD = 512;

  private final String shard;
  private final SourceFailures source;
  private final TarArchiveInputStream tar;
  private boolean ended;
  private long dataEnd;

  public TarMembers(String shard, InputStream in) {
    this.shard = shard;
    this.source = new SourceFailures(new BufferedInputStream(in, BUFFER));
    this.tar = new TarArchiveInputStream(source);
  }

  public String shard() {
    return shard;
  }

  /**
   * Bytes the tar parser has taken from the shard: just after {@link #next}, where the returned
   * member's data starts, which locates it for a ranged read.
   */
  public long offset() {
    return source.offset();
  }

  /** The next regular file of this shard; null at its end, after checking the end is real. */
  public TarArchiveEntry next() throws IOException {
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
        if (source.offset() < dataEnd + RECORD) {
          throw truncated("an end-of-archive record after the last member", null);
        }
        return null;
      }
      dataEnd = source.offset() + (entry.getSize() + RECORD - 1) / RECORD * RECORD;
      if (entry.isFile()) {
        return entry;
      }
    }
  }

  /** The bytes of the member {@link #next} returned last. */
  public byte[] read(TarArchiveEntry entry) throws IOException {
    if (entry.getSize() > Integer.MAX_VALUE - 16) {
      throw new BadDataException(shard + ": member " + entry.getName() + " is too large (" + entry.getSize() + " bytes)");
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

  /**
   * A short shard (exit 2), unless the store's stream failed under the tar parser (exit 1; exit 2
   * where the object changed since it was listed, which no retry mends).
   */
  private IOException truncated(String expected, IOException cause) {
    if (source.failure() != null) {
      return storeFailed(cause);
    }
    return new BadDataException(shard + ": truncated at offset " + source.offset() + ": expected " + expected, cause);
  }

  private IOException truncatedOrCorrupt(IOException cause) {
    if (source.failure() != null) {
      return storeFailed(cause);
    }
    if (cause.getMessage() != null && cause.getMessage().toLowerCase(Locale.ROOT).contains("truncated")) {
      return truncated("the rest of the tar archive", cause);
    }
    return new BadDataException(shard + ": not a readable tar archive at offset " + source.offset() + " ("
        + cause.getMessage() + ")", cause);
  }

  private IOException storeFailed(IOException cause) {
    if (source.failure() instanceof ObjectChangedException changed) {
      return changed;
    }
    return new IOException(shard + ": reading from the store failed at offset " + source.offset() + ": "
        + source.failure().getMessage(), cause);
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }

  /** The member name up to the first '.' of its base name: "a/b/x.seg.png" has key "a/b/x". */
  public static String keyOf(String member) {
    int base = member.lastIndexOf('/') + 1;
    int dot = member.indexOf('.', base);
    return dot < 0 ? member : member.substring(0, dot);
  }

  /** What follows the key's dot, lower case: "x.JPG" gives "jpg", "x.seg.png" gives "seg.png". */
  public static String extensionOf(String member) {
    int base = member.lastIndexOf('/') + 1;
    int dot = member.indexOf('.', base);
    return dot < 0 ? "" : member.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
