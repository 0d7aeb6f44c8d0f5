package dev.semisup.worker.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Adds the bytes read through a stream to a store's count. A skip is passed on as it is, so a
 * file's skip stays a seek and is not counted: it moves no bytes.
 */
final class CountedInputStream extends FilterInputStream {

  private final AtomicLong count;

  CountedInputStream(InputStream in, AtomicLong count) {
    super(in);
    this.count = count;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      count.incrementAndGet();
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = in.read(buffer, offset, length);
    if (n > 0) {
      count.addAndGet(n);
    }
    return n;
  }

  @Override
  public boolean markSupported() {
    return false; // a reset would read bytes twice and count them once
  }
}
