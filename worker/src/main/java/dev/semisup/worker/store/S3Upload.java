package dev.semisup.worker.store;

import io.minio.PutObjectArgs;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An object of unknown length streamed to S3. MinIO's putObject pulls from an InputStream, the
 * caller pushes into an OutputStream, so a background thread runs the upload and reads the chunks
 * the caller writes through a small queue: memory stays at a few chunks plus one part, and
 * nothing touches the local disk (pods may have none to spare).
 *
 * <p>The object appears only when S3 completes the upload, after close(). A discard (or an
 * abandoned stream, after {@link #IDLE_TIMEOUT}) makes the upload's input fail, so MinIO aborts
 * it and no object appears; a process killed mid-upload never completes it either, so nothing
 * half-written can be read (or taken for done). composeObject is not used: S3Proxy does not
 * support it.
 *
 * <p>An object no larger than one part (metrics, progress, most checkpoints) is held in memory
 * and sent with one PUT at close(), which the endpoint retries like any call; only larger objects
 * stream, and a store outage during their upload fails the write (the step's pod retry resumes
 * from its last checkpoint).
 */
final class S3Upload extends PendingObject {

  private static final int CHUNK_SIZE = 1 << 20;
  private static final int QUEUED_CHUNKS = 4;
  /** A stream nobody writes to or closes for this long is given up, so its thread ends. */
  static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);

  // Markers compared by identity: the end of the object, and "drop it".
  private static final byte[] END = new byte[0];
  private static final byte[] DISCARD = new byte[0];

  private final S3ObjectStore store;
  private final String bucket;
  private final String key;
  private final long partSize;
  /** The bytes so far while they fit in one part; null once the upload streams. */
  private java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
  private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
  private final CompletableFuture<Void> uploaded = new CompletableFuture<>();
  private byte[] buffer = new byte[CHUNK_SIZE];
  private int filled;
  private boolean finished;
  private boolean broken;
  private volatile boolean discarded;

  S3Upload(S3ObjectStore store, String bucket, String key, long partSize) {
    this.store = store;
    this.bucket = bucket;
    this.key = key;
    this.partSize = partSize;
  }

  /** More than one part: from here on the bytes stream to a multipart upload. */
  private void startStreaming() throws IOException {
    byte[] held = head.toByteArray();
    head = null;
    Thread uploader = new Thread(() -> {
      try {
        store.endpoint().client().putObject(PutObjectArgs.builder()
            .bucket(bucket)
            .object(key)
            .stream(new QueuedChunks(), -1, partSize)
            .build());
        uploaded.complete(null);
      } catch (Throwable e) {
        uploaded.completeExceptionally(e);
      }
    }, "s3-upload " + key);
    // A stream abandoned by a failing stage must not keep the JVM alive.
    uploader.setDaemon(true);
    uploader.start();
    write(held, 0, held.length);
  }

  @Override
  public void write(int b) throws IOException {
    ensureOpen();
    if (head != null) {
      write(new byte[] {(byte) b}, 0, 1);
      return;
    }
    buffer[filled++] = (byte) b;
    if (filled == CHUNK_SIZE) {
      handOffBuffer();
    }
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    ensureOpen();
    if (head != null) {
      if (head.size() + (long) length <= partSize) {
        head.write(bytes, offset, length);
        return;
      }
      startStreaming();
    }
    while (length > 0) {
      int n = Math.min(length, CHUNK_SIZE - filled);
      System.arraycopy(bytes, offset, buffer, filled, n);
      filled += n;
      offset += n;
      length -= n;
      if (filled == CHUNK_SIZE) {
        handOffBuffer();
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (finished) {
      return;
    }
    if (broken) {
      discard();
      throw new IOException(store.uri(key) + " was not written: an earlier write to it failed");
    }
    finished = true;
    if (head != null) {
      byte[] whole = head.toByteArray();
      head = null;
      buffer = null;
      store.put(key, whole); // one PUT, retried by the endpoint
      return;
    }
    if (filled > 0) {
      handOff(Arrays.copyOf(buffer, filled));
    }
    buffer = null;
    handOff(END);
    try {
      uploaded.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while completing " + store.uri(key));
    } catch (ExecutionException e) {
      throw failure();
    }
  }

  @Override
  public void discard() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    discarded = true;
    buffer = null;
    if (head != null) {
      head = null; // nothing was sent
      return;
    }
    // Room for the marker, which wakes a reader waiting for data; a busy one sees the flag.
    chunks.clear();
    chunks.offer(DISCARD);
    try {
      uploaded.handle((ok, error) -> null).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while discarding " + store.uri(key));
    } catch (ExecutionException e) {
      throw new IllegalStateException(e); // handle() above never completes exceptionally
    }
  }

  private void handOffBuffer() throws IOException {
    handOff(buffer);
    buffer = new byte[CHUNK_SIZE];
    filled = 0;
  }

  private void handOff(byte[] chunk) throws IOException {
    boolean accepted = false;
    try {
      // Waits while the uploader sends a part; gives up when the upload has ended.
      while (!accepted && !uploaded.isDone()) {
        accepted = chunks.offer(chunk, 100, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      broken = true;
      throw new InterruptedIOException("interrupted while writing " + store.uri(key));
    }
    if (!accepted) {
      broken = true;
      throw uploaded.isCompletedExceptionally()
          ? failure()
          : new IOException("upload of " + store.uri(key) + " ended before its stream did");
    }
  }

  private IOException failure() {
    Throwable cause = uploaded.handle((ok, error) -> error).join();
    if (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return store.failure(cause, key);
  }

  private void ensureOpen() throws IOException {
    if (finished) {
      throw new IOException(store.uri(key) + " is already closed or discarded");
    }
    if (broken) {
      throw new IOException(store.uri(key) + " cannot be written: an earlier write to it failed");
    }
  }

  /** The upload's side: the chunks the caller wrote, in order, then end of stream. */
  private final class QueuedChunks extends InputStream {

    private byte[] current = new byte[0];
    private int position;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      while (current != END && position == current.length) {
        current = next();
        position = 0;
      }
      if (current == END) {
        return -1;
      }
      int n = Math.min(length, current.length - position);
      System.arraycopy(current, position, into, offset, n);
      position += n;
      return n;
    }

    private byte[] next() throws IOException {
      byte[] chunk;
      try {
        chunk = discarded ? DISCARD : chunks.poll(IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("upload of " + store.uri(key) + " interrupted");
      }
      if (chunk == null) {
        throw new IOException("upload of " + store.uri(key) + " abandoned: nothing written for "
            + IDLE_TIMEOUT.toMinutes() + " minutes and never closed");
      }
      if (chunk == DISCARD || discarded) {
        throw new IOException("upload of " + store.uri(key) + " discarded");
      }
      return chunk;
    }
  }
}
