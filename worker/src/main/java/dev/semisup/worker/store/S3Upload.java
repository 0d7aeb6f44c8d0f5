package dev.semisup.worker.store;

import io.minio.messages.Part;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An object of unknown length written to S3. Up to one part it is held in memory and sent with
 * one PUT at close(); beyond that it becomes a multipart upload driven here, part by part: each
 * full part is sent on a background thread while the caller fills the next, so memory is two
 * parts at most and nothing touches the local disk (pods may have none to spare).
 *
 * <p>Every call (create the upload, each part, complete) goes through the endpoint's retry layer
 * with the part's own bytes, so an outage in the middle of a large object costs a pause and the
 * parts sent before it are kept; with MinIO's one-shot {@code putObject} over a stream, the first
 * failed part failed the whole object.
 *
 * <p>The object appears only when S3 completes the upload, in close(). discard() aborts the
 * upload; a process killed mid-upload never completes it, so nothing half-written can be read
 * (or taken for done): the open upload is left for the bucket's lifecycle rule to reap.
 */
final class S3Upload extends PendingObject {

  /** Part uploads run here; daemon threads, so a stream abandoned by a failing stage keeps no JVM alive. */
  private static final ExecutorService PART_SENDERS = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "s3-part-upload");
    thread.setDaemon(true);
    return thread;
  });

  private final S3ObjectStore store;
  private final String bucket;
  private final String key;
  private final int partSize;
  private byte[] part;
  private int filled;
  private String uploadId;
  private final List<Part> sent = new ArrayList<>();
  /** The part being sent, if any: waited for before the next one goes, so one is in flight. */
  private CompletableFuture<Part> inFlight;
  private boolean finished;
  private boolean broken;

  S3Upload(S3ObjectStore store, String bucket, String key, long partSize) {
    if (partSize < 5L << 20 || partSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("part size " + partSize + " is outside S3's 5 MiB .. 2 GiB");
    }
    this.store = store;
    this.bucket = bucket;
    this.key = key;
    this.partSize = (int) partSize;
    // Small objects are the common case (progress, metrics): grow towards a part only as needed.
    this.part = new byte[Math.min(this.partSize, 64 << 10)];
  }

  @Override
  public void write(int b) throws IOException {
    // Called per byte by DataOutputStream writers: no array per call.
    ensureOpen();
    makeRoom();
    part[filled++] = (byte) b;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    ensureOpen();
    while (length > 0) {
      makeRoom();
      int n = Math.min(length, part.length - filled);
      System.arraycopy(bytes, offset, part, filled, n);
      filled += n;
      offset += n;
      length -= n;
    }
  }

  /** Room for at least one more byte: the part sent when full, the buffer grown up to a part. */
  private void makeRoom() throws IOException {
    if (filled == partSize) {
      sendFullPart();
    }
    if (filled == part.length) {
      part = Arrays.copyOf(part, (int) Math.min(partSize, 2L * part.length));
    }
  }

  /** The buffer holds a whole part and more bytes follow: it goes out, the next one starts empty. */
  private void sendFullPart() throws IOException {
    try {
      if (uploadId == null) {
        uploadId = store.endpoint().retry().call(() -> store.endpoint().parts()
            .createMultipartUploadAsync(bucket, null, key, null, null).get().result().uploadId());
      }
      awaitInFlight();
      byte[] full = part;
      int number = sent.size() + 1;
      inFlight = CompletableFuture.supplyAsync(() -> send(full, full.length, number), PART_SENDERS);
      part = new byte[partSize];
      filled = 0;
    } catch (IOException e) {
      broken = true;
      throw e;
    } catch (Exception e) {
      broken = true;
      throw failure(e);
    }
  }

  private Part send(byte[] bytes, int length, int number) {
    try {
      String etag = store.endpoint().retry().call(() -> store.endpoint().parts()
          .uploadPartAsync(bucket, null, key, bytes, length, uploadId, number, null, null).get().etag());
      return new Part(number, etag);
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  private void awaitInFlight() throws IOException {
    if (inFlight == null) {
      return;
    }
    try {
      sent.add(inFlight.get());
      inFlight = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing " + store.uri(key));
    } catch (ExecutionException e) {
      inFlight = null;
      throw failure(e);
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
    if (uploadId == null) {
      store.put(key, Arrays.copyOf(part, filled)); // one PUT, retried by the endpoint
      part = null;
      return;
    }
    try {
      awaitInFlight();
      sent.add(send(part, filled, sent.size() + 1));
      part = null;
      Part[] parts = sent.toArray(new Part[0]);
      store.endpoint().retry().call(() -> store.endpoint().parts()
          .completeMultipartUploadAsync(bucket, null, key, uploadId, parts, null, null).get());
    } catch (IOException e) {
      abortQuietly();
      throw e;
    } catch (Exception e) {
      abortQuietly();
      throw failure(e);
    }
  }

  @Override
  public void discard() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    part = null;
    if (uploadId == null) {
      return; // nothing was sent
    }
    if (inFlight != null) {
      inFlight.handle((ok, error) -> null).join();
      inFlight = null;
    }
    abortQuietly();
  }

  /** Best effort: an upload that cannot be aborted now is never completed either, so never visible. */
  private void abortQuietly() {
    if (uploadId == null) {
      return;
    }
    try {
      store.endpoint().parts().abortMultipartUploadAsync(bucket, null, key, uploadId, null, null).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // left open: invisible, and reaped by the bucket's lifecycle rule for incomplete uploads
    }
  }

  /** The store's failure, named for this object, from under the layers the futures add. */
  private IOException failure(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
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
}
