package dev.semisup.worker.data.formats;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Remembers whether the store's own stream failed (a reset connection, a disk error). A parser
 * above it (gzip, tar) reports such a failure as its own "truncated" or "corrupt" error; with this
 * record a reader tells a read cut short by the machine (exit 1, worth retrying) from a file that
 * really is short or broken (exit 2, the user's to fix).
 */
final class SourceFailures extends FilterInputStream {

  private IOException failure;
  private long offset;

  SourceFailures(InputStream in) {
    super(in);
  }

  /** The store's failure, or null when every read of the raw stream succeeded. */
  IOException failure() {
    return failure;
  }

  /** Bytes the parser has taken from the store so far. */
  long offset() {
    return offset;
  }

  @Override
  public int read() throws IOException {
    try {
      int b = in.read();
      if (b >= 0) {
        offset++;
      }
      return b;
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public int read(byte[] buffer, int from, int length) throws IOException {
    try {
      int n = in.read(buffer, from, length);
      if (n > 0) {
        offset += n;
      }
      return n;
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public long skip(long n) throws IOException {
    try {
      long skipped = in.skip(n);
      offset += skipped;
      return skipped;
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
