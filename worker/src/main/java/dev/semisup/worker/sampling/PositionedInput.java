package dev.semisup.worker.sampling;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes read or skipped, so that readers can check a file against the offsets it
 * declares and say where a truncated or corrupt file went wrong.
 */
final class PositionedInput extends FilterInputStream {

  private long position;

  PositionedInput(InputStream in) {
    this(in, 0);
  }

  /** A stream that begins at byte {@code start} of its file (a ranged read). */
  PositionedInput(InputStream in, long start) {
    super(in);
    this.position = start;
  }

  long position() {
    return position;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      position++;
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = in.read(buffer, offset, length);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(n);
    if (skipped > 0) {
      position += skipped;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false; // a reset would make the position lie
  }
}
