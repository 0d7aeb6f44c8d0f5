package dev.semisup.worker.data.formats;

import dev.semisup.worker.data.BadDataException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * A file of fixed-size binary records (IDX, CIFAR) read front to back, gzip or plain. It keeps the
 * byte offset so every format error can say where the file went wrong; for a gzip file the offset
 * counts uncompressed bytes, the only position a reader of the format can check.
 */
final class BinaryInput implements Closeable {

  private static final int BUFFER = 1 << 16;

  private final String uri;
  private final boolean gzip;
  private final InputStream in;
  private final SourceFailures source;
  private final byte[] skipBuffer = new byte[8192];
  private long offset;

  private BinaryInput(String uri, boolean gzip, InputStream in, SourceFailures source) {
    this.uri = uri;
    this.gzip = gzip;
    this.in = in;
    this.source = source;
  }

  /** Opens the stream, gunzipping it when it starts with the gzip magic (1f 8b), whatever its name. */
  static BinaryInput open(String uri, InputStream raw) throws IOException {
    SourceFailures source = new SourceFailures(raw);
    BufferedInputStream buffered = new BufferedInputStream(source, BUFFER);
    buffered.mark(2);
    int first = buffered.read();
    int second = buffered.read();
    buffered.reset();
    if (first < 0) {
      buffered.close();
      throw new BadDataException(uri + ": the file is empty (0 bytes)");
    }
    boolean gzip = first == 0x1f && second == 0x8b;
    try {
      InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(buffered, BUFFER), BUFFER) : buffered;
      return new BinaryInput(uri, gzip, in, source);
    } catch (IOException e) {
      buffered.close();
      if (source.failure() != null) {
        throw new IOException(uri + ": reading from the store failed: " + source.failure().getMessage(), e);
      }
      throw new BadDataException(uri + ": not a readable gzip file (" + e.getMessage() + ")", e);
    }
  }

  String uri() {
    return uri;
  }

  long offset() {
    return offset;
  }

  /** The next byte, or -1 at a clean end of the file. */
  int read(String expected) throws IOException {
    int b;
    try {
      b = in.read();
    } catch (IOException e) {
      throw failed(e, expected);
    }
    if (b >= 0) {
      offset++;
    }
    return b;
  }

  int readInt(String expected) throws IOException {
    byte[] bytes = new byte[4];
    readFully(bytes, 0, 4, expected);
    return ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
  }

  void readFully(byte[] buffer, int from, int length, String expected) throws IOException {
    int done = 0;
    while (done < length) {
      int n;
      try {
        n = in.read(buffer, from + done, length - done);
      } catch (IOException e) {
        throw failed(e, expected);
      }
      if (n < 0) {
        throw truncated(expected);
      }
      done += n;
      offset += n;
    }
  }

  /**
   * Moves past bytes without decoding them (images a shard does not want). It reads rather than
   * calls InputStream.skip, which on some streams (files) moves past the end without complaint
   * and would hide a truncated file.
   */
  void skip(long length, String expected) throws IOException {
    byte[] scratch = skipBuffer;
    long left = length;
    while (left > 0) {
      int chunk = (int) Math.min(left, scratch.length);
      readFully(scratch, 0, chunk, expected);
      left -= chunk;
    }
  }

  BadDataException truncated(String expected) {
    return new BadDataException(uri + ": truncated at offset " + offset + where() + ": expected " + expected);
  }

  /** A format error found at the given offset, e.g. a bad magic number or label. */
  BadDataException corrupt(long at, String problem) {
    return new BadDataException(uri + ": " + problem + " at offset " + at + where());
  }

  /**
   * A failed read: the store's (exit 1, may read fine next time) when the raw stream threw, else
   * the file's: gzip data that ends early (EOF) or does not inflate (a bad block) is bad data.
   */
  private IOException failed(IOException cause, String expected) {
    if (source.failure() != null) {
      return new IOException(uri + ": reading from the store failed at offset " + offset + where() + ": "
          + source.failure().getMessage(), cause);
    }
    if (cause instanceof EOFException) {
      return truncated(expected);
    }
    return new BadDataException(uri + ": corrupt " + (gzip ? "gzip data" : "data") + " at offset " + offset + where()
        + " (" + cause.getMessage() + ")", cause);
  }

  private String where() {
    return gzip ? " (uncompressed)" : "";
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
