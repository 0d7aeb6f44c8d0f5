package dev.semisup.worker.data.pipeline;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded decode pipeline: items are read in order on the caller's thread, decoded on
 * {@link DecodeSettings#threads()} threads, and handed back in the order they were read, so a
 * pass delivers the same images in the same order whatever the thread count. At most
 * {@link DecodeSettings#window()} items are read ahead of the caller (read, being decoded, or
 * decoded and waiting): memory is bounded by the window, never by the data set, and a slow
 * caller stops the reading (back-pressure). The read-ahead starts at one item and doubles with
 * each item handed back, up to the window: a pass that wants only its first image (a preflight
 * check) reads and decodes no more than a one-threaded pass would.
 *
 * <p>Reading stays on the caller's thread on purpose: readers (tar shards, the shuffle buffer's
 * seeded picks) are single-threaded state whose order is the contract; only the pure, costly
 * part (decode, resize) moves to the pool. A read that fails is reported after the items read
 * before it, at the place the failure sits in the stream. An item whose decode throws an
 * IOException is handed back as a failed {@link Outcome} at its place, for the caller to skip
 * (a corrupt pool image) or to throw (a broken labeled set); any other exception from a decode
 * is rethrown at its place.
 *
 * <p>Threads: created when the pipeline is, ended by {@link #close()}, and also as soon as
 * {@link #next()} throws, so a failed pass leaves no thread behind even before it is closed.
 */
public final class OrderedDecoding<I, O> implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(OrderedDecoding.class);
  /** Thread names start with this: the threads of every pipeline of the process, in a dump or a test. */
  public static final String THREAD_PREFIX = "semisup-decode-";
  private static final AtomicInteger PIPELINES = new AtomicInteger();
  private static final long STOP_WAIT_SECONDS = 30;

  /** The items in their order; null at the end. Called on the caller's thread only. */
  @FunctionalInterface
  public interface Reader<I> {
    I next() throws IOException;
  }

  /** The costly, pure part: called on the pipeline's threads, several items at once. */
  @FunctionalInterface
  public interface Decoder<I, O> {
    O decode(I item) throws IOException;
  }

  /** One item handed back: its decoded value, or the IOException its decode threw. */
  public record Outcome<I, O>(I item, O value, IOException failure) {

    public boolean failed() {
      return failure != null;
    }
  }

  private final Reader<I> reader;
  private final Decoder<I, O> decoder;
  private final int window;
  private final ExecutorService pool;
  private final List<Thread> threads = new ArrayList<>();
  private final ArrayDeque<Pending<I, O>> inFlight = new ArrayDeque<>();
  private int readAhead = 1;
  private boolean readEnded;
  private IOException readFailure;
  private RuntimeException readError;
  private boolean closed;

  private record Pending<I, O>(I item, Future<O> decoded) {
  }

  public OrderedDecoding(Reader<I> reader, Decoder<I, O> decoder, DecodeSettings settings) {
    this.reader = reader;
    this.decoder = decoder;
    this.window = settings.window();
    String name = THREAD_PREFIX + PIPELINES.incrementAndGet() + "-";
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = task -> {
      Thread thread = new Thread(task, name + count.incrementAndGet());
      // Daemon: a pass its caller forgot to close must not keep the JVM alive after the stage.
      thread.setDaemon(true);
      synchronized (threads) {
        threads.add(thread);
      }
      return thread;
    };
    this.pool = Executors.newFixedThreadPool(settings.threads(), factory);
  }

  /** The next item in read order with its decode's outcome; null once every item is handed back. */
  public Outcome<I, O> next() throws IOException {
    if (closed) {
      throw new IllegalStateException("the decode pipeline is closed (or its pass failed)");
    }
    try {
      fill();
      Pending<I, O> head = inFlight.poll();
      if (head == null) {
        if (readFailure != null) {
          throw readFailure;
        }
        if (readError != null) {
          throw readError;
        }
        return null;
      }
      readAhead = Math.min(window, readAhead * 2);
      return outcome(head);
    } catch (IOException | RuntimeException | Error e) {
      // A failed pass is over: its threads end now, and a further next() says so rather than resubmitting.
      close();
      throw e;
    }
  }

  /** Items read but not yet handed back (being decoded, or decoded and waiting): at most the window. */
  public int inFlight() {
    return inFlight.size();
  }

  private void fill() {
    while (!readEnded && inFlight.size() < readAhead) {
      I item;
      try {
        item = reader.next();
      } catch (IOException e) {
        readFailure = e;
        readEnded = true;
        return;
      } catch (RuntimeException e) {
        readError = e;
        readEnded = true;
        return;
      }
      if (item == null) {
        readEnded = true;
        return;
      }
      inFlight.add(new Pending<>(item, pool.submit(() -> decoder.decode(item))));
    }
  }

  private Outcome<I, O> outcome(Pending<I, O> pending) throws IOException {
    try {
      return new Outcome<>(pending.item(), pending.decoded().get(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a decoded image");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException failure) {
        return new Outcome<>(pending.item(), null, failure);
      }
      if (cause instanceof UncheckedIOException unchecked) {
        return new Outcome<>(pending.item(), null, unchecked.getCause());
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Ends the decode threads and waits for them; the reader is the caller's to close. */
  @Override
  public void close() {
    closed = true;
    stop();
  }

  private void stop() {
    inFlight.forEach(pending -> pending.decoded().cancel(true));
    inFlight.clear();
    pool.shutdownNow();
    List<Thread> started;
    synchronized (threads) {
      started = List.copyOf(threads);
    }
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
    for (Thread thread : started) {
      // A decode is not interruptible, but lasts milliseconds: wait for it, so none outlives the pass.
      while (thread.isAlive() && System.nanoTime() < deadline) {
        try {
          thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (thread.isAlive()) {
        LOG.warn("Decode thread {} still running {} s after its pipeline closed", thread.getName(), STOP_WAIT_SECONDS);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
