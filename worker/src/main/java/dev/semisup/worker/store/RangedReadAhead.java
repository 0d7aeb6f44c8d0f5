package dev.semisup.worker.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Remote files read ahead of their reader by ranged reads: the files, in the list's order, each
 * cut into even ranges of at most {@code rangeBytes}, {@code ranges} of them
 * fetched ahead of the reader at once by {@link Blobs#openRange} on as many threads, and handed to the reader in order
 * as one stream per file, byte for byte what reading each file whole gives. One connection to an
 * object store carries far less than a pod's bandwidth; several carry it.
 *
 * <p>Memory: a range's bytes are held from its fetch until the reader has moved past them: the
 * range being read and at most {@code ranges} fetched or in flight ahead of it, {@code (ranges + 1)
 * x rangeBytes} bytes whatever the files' sizes. The range being read does not count among the
 * {@code ranges}, so that many GETs stay open while the reader works through it.
 *
 * <p>Every byte is fetched once. A range whose connection breaks is resumed by the store's own
 * retry layer ({@link ResumingObjectStream} within {@link StoreRetry}'s budget), the only one: a
 * failure it gives up on fails the reader's next read of that file, naming the file and the
 * range's offset. Ranges of a file the reader left before its end are still fetched (a tar
 * reader stops before the archive's padding) and dropped.
 *
 * <p>The sizes come from the listing (the pool manifest), so an object that changed since is
 * caught: one shorter than listed fails where it ends, and the last range of each file asks for
 * one byte more than the listing gives, which only an object longer than listed has to send.
 *
 * <p>Closing stops the fetches (each notices within one read of {@value #CHUNK} bytes; one waiting
 * in the store's retry layer is interrupted) and waits for their threads to end. Local files are
 * not read through this ({@link FileSequence#of}): a disk gives one stream its whole bandwidth,
 * and reading it in ranges on other threads would only add copies.
 */
public final class RangedReadAhead implements FileSequence {

  /** Fetch threads are named {@code semisup-read-ahead-<pass>-<n>}. */
  public static final String THREAD_PREFIX = "semisup-read-ahead-";
  static final int CHUNK = 1 << 16;
  /** How long closing lets the fetches under way notice it, before it interrupts them. */
  private static final long CLOSE_GRACE_MILLIS = 2_000;
  private static final long CLOSE_WAIT_SECONDS = 60;
  private static final AtomicInteger PASSES = new AtomicInteger();

  private final Blobs blobs;
  private final List<Blobs.Sized> files;
  private final long[] sizes;
  private final int ranges;
  private final int rangeBytes;
  private final ThreadPoolExecutor fetchers;
  /** Every fetch thread started, joined on close: a pool terminates before its threads have ended. */
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  /** Ranges fetched or being fetched, in the files' order, ahead of the one being read. */
  private final ArrayDeque<Range> window = new ArrayDeque<>();
  private volatile boolean closed;
  private int plannedFile;
  private long plannedOffset;
  /** The length of the planned file's ranges: its size split evenly into ranges of at most rangeBytes. */
  private long plannedRangeBytes;
  private int readerFile = -1;
  /** The range whose bytes the reader is at; null between ranges. */
  private Range held;
  /** A fetch that failed: every later read fails with it, so no range is ever passed over. */
  private IOException failed;

  /** A range of one file: where it lies, and its bytes once fetched. */
  private static final class Range {
    final int file;
    final long offset;
    final int length;
    Future<byte[]> fetched;
    byte[] bytes;
    int position;

    Range(int file, long offset, int length) {
      this.file = file;
      this.offset = offset;
      this.length = length;
    }
  }

  /** Sizes of -1 are asked of {@code blobs} when the file's first range is planned. */
  public RangedReadAhead(Blobs blobs, List<Blobs.Sized> files, ReadAheadSettings settings) {
    this.blobs = blobs;
    this.files = List.copyOf(files);
    this.sizes = this.files.stream().mapToLong(Blobs.Sized::bytes).toArray();
    this.ranges = settings.ranges();
    this.rangeBytes = settings.rangeBytes();
    String pass = THREAD_PREFIX + PASSES.incrementAndGet() + "-";
    AtomicInteger started = new AtomicInteger();
    this.fetchers = new ThreadPoolExecutor(ranges, ranges, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
      Thread thread = new Thread(task, pass + started.incrementAndGet());
      thread.setDaemon(true);
      threads.add(thread);
      return thread;
    });
    // A pass its reader forgot to close still lets its threads go once they are idle.
    fetchers.allowCoreThreadTimeOut(true);
  }

  @Override
  public InputStream nextFile() throws IOException {
    checkOpen();
    if (readerFile + 1 >= files.size()) {
      throw new NoSuchElementException("all " + files.size() + " files were read");
    }
    readerFile++;
    held = null;
    return new FileStream(readerFile);
  }

  /** The reader's range of {@code file} with bytes left; null at the file's end. */
  private Range rangeFor(int file) throws IOException {
    checkOpen();
    if (failed != null) {
      throw failed instanceof ObjectChangedException changed ? changed : new IOException(failed.getMessage(), failed);
    }
    if (file != readerFile) {
      throw new IOException(files.get(file).uri() + ": read after the next file was opened");
    }
    if (held != null && held.position < held.length) {
      return held;
    }
    held = null;
    while (true) {
      fillWindow();
      Range next = window.peekFirst();
      if (next == null || next.file > file) {
        return null;
      }
      window.pollFirst();
      if (next.file < file) {
        dropUnread(next);
        continue;
      }
      try {
        next.bytes = await(next);
      } catch (IOException e) {
        failed = e;
        throw e;
      }
      held = next;
      fillWindow();
      return held;
    }
  }

  /** Starts fetches until {@code ranges} ranges are in flight or fetched ahead of the reader, or none is left to plan. */
  private void fillWindow() throws IOException {
    while (window.size() < ranges) {
      Range range = plan();
      if (range == null) {
        return;
      }
      window.addLast(range);
    }
  }

  private Range plan() throws IOException {
    while (plannedFile < files.size()) {
      long size = size(plannedFile);
      if (plannedOffset == 0) {
        // Even ranges: a short tail range would finish at once and hold a slot of the window
        // until the reader reaches it, one GET fewer open for a whole range's time.
        long count = Math.max(1, (size + rangeBytes - 1) / rangeBytes);
        plannedRangeBytes = (size + count - 1) / count;
      }
      if (plannedOffset < size) {
        int length = (int) Math.min(plannedRangeBytes, size - plannedOffset);
        Range range = new Range(plannedFile, plannedOffset, length);
        plannedOffset += length;
        range.fetched = fetchers.submit(() -> fetch(range, size));
        return range;
      }
      plannedFile++;
      plannedOffset = 0;
    }
    return null;
  }

  private long size(int file) throws IOException {
    if (sizes[file] < 0) {
      sizes[file] = blobs.size(files.get(file).uri());
    }
    return sizes[file];
  }

  /** Runs on a fetch thread: the range's bytes, all of them, or a failure naming the file and offset. */
  private byte[] fetch(Range range, long size) throws IOException {
    String uri = files.get(range.file).uri();
    boolean lastOfFile = range.offset + range.length == size;
    if (closed) {
      throw new InterruptedIOException("the pass was closed");
    }
    byte[] bytes = new byte[range.length];
    try (InputStream in = blobs.openRange(uri, range.offset, lastOfFile ? range.length + 1L : range.length)) {
      int at = 0;
      while (at < range.length) {
        if (closed) {
          throw new InterruptedIOException("the pass was closed");
        }
        int n = in.read(bytes, at, Math.min(CHUNK, range.length - at));
        if (n < 0) {
          throw new ObjectChangedException(uri, size, "the object ends at byte " + (range.offset + at) + ", fewer");
        }
        at += n;
      }
      if (lastOfFile && in.read() >= 0) {
        throw new ObjectChangedException(uri, size, "the object holds more bytes");
      }
      return bytes;
    } catch (ObjectChangedException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new IOException(uri + ": reading " + range.length + " bytes at offset " + range.offset + " failed: "
          + e.getMessage(), e);
    }
  }

  private byte[] await(Range range) throws IOException {
    try {
      return range.fetched.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading " + files.get(range.file).uri());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof ObjectChangedException changed ? changed : new IOException(cause.getMessage(), cause);
    }
  }

  /** A range of a file the reader has left: fetched all the same, its bytes dropped, its failure unneeded. */
  private void dropUnread(Range range) throws IOException {
    try {
      await(range);
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      // the reader never needed these bytes
    }
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("the read-ahead over " + files.size() + " files is closed");
    }
  }

  /**
   * Stops the fetches under way, drops every range held, and waits for the fetch threads to end.
   * A fetch notices the close between two reads and closes its GET as the client likes it; only
   * one still going after a grace period (waiting out a store outage in the retry layer) is
   * interrupted, since an interrupt inside the HTTP client can abandon a response half-read.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    window.clear();
    held = null;
    fetchers.shutdown();
    try {
      if (!fetchers.awaitTermination(CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        fetchers.shutdownNow();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
      boolean ended = fetchers.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
      for (Thread thread : threads) {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        ended &= !thread.isAlive();
      }
      if (!ended) {
        throw new IOException("read-ahead threads still reading " + CLOSE_WAIT_SECONDS + " s after the pass closed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while closing the read-ahead");
    }
  }

  /** One file's bytes, in order, out of its ranges. */
  private final class FileStream extends InputStream {
    private final int file;

    FileStream(int file) {
      this.file = file;
    }

    @Override
    public int read() throws IOException {
      Range range = rangeFor(file);
      return range == null ? -1 : range.bytes[range.position++] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      java.util.Objects.checkFromIndexSize(offset, length, into.length);
      if (length == 0) {
        return 0;
      }
      Range range = rangeFor(file);
      if (range == null) {
        return -1;
      }
      int n = Math.min(length, range.length - range.position);
      System.arraycopy(range.bytes, range.position, into, offset, n);
      range.position += n;
      return n;
    }

    /** Skipped bytes were fetched all the same: a range is the unit of reading. */
    @Override
    public long skip(long n) throws IOException {
      long skipped = 0;
      while (skipped < n) {
        Range range = rangeFor(file);
        if (range == null) {
          break;
        }
        int step = (int) Math.min(n - skipped, range.length - range.position);
        range.position += step;
        skipped += step;
      }
      return skipped;
    }

    @Override
    public int available() {
      Range range = held;
      return range == null || range.file != file || range.bytes == null ? 0 : range.length - range.position;
    }
  }
}
