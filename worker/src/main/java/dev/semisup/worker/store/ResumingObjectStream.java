package dev.semisup.worker.store;

import io.minio.GetObjectArgs;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/**
 * An object read from S3 that survives the connection breaking mid-stream: a transient failure
 * while reading reopens the object with a ranged GET from the first byte not yet read, within the
 * endpoint's retry budget, so a large shard or checkpoint is not read again from the start and a
 * short store outage is a pause for the reader. Lasting failures are thrown as they are.
 */
final class ResumingObjectStream extends InputStream {

  private final S3Endpoint endpoint;
  private final String bucket;
  private final String key;
  /** The object's first byte to read, and how many from there (-1: to its end). */
  private final long start;
  private final long length;
  /** Told of every body byte read, resumed GETs included: the store's count of bytes moved. */
  private final LongConsumer counted;
  private InputStream current;
  private long position;
  private boolean closed;
  /** When the current run of failed reads without a byte in between began; 0: reading fine. */
  private long stuckSince;

  private ResumingObjectStream(S3Endpoint endpoint, String bucket, String key, long start, long length,
      LongConsumer counted, InputStream first) {
    this.endpoint = endpoint;
    this.bucket = bucket;
    this.key = key;
    this.start = start;
    this.length = length;
    this.counted = counted;
    this.current = first;
  }

  /** Opens the object (with retries); a missing key throws FileNotFoundException naming it. */
  static InputStream open(S3Endpoint endpoint, String bucket, String key, LongConsumer counted) throws IOException {
    return new ResumingObjectStream(endpoint, bucket, key, 0, -1, counted, get(endpoint, bucket, key, 0, -1));
  }

  /** Opens {@code length} bytes of the object from {@code offset}: a ranged GET, resumed like a whole one. */
  static InputStream openRange(S3Endpoint endpoint, String bucket, String key, long offset, long length,
      LongConsumer counted) throws IOException {
    return new ResumingObjectStream(endpoint, bucket, key, offset, length, counted,
        get(endpoint, bucket, key, offset, length));
  }

  private static InputStream get(S3Endpoint endpoint, String bucket, String key, long offset, long length)
      throws IOException {
    try {
      return endpoint.retry().call(() -> {
        GetObjectArgs.Builder args = GetObjectArgs.builder().bucket(bucket).object(key);
        if (offset > 0) {
          args.offset(offset);
        }
        if (length >= 0) {
          args.length(length);
        }
        return endpoint.client().getObject(args.build());
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while opening s3://" + bucket + "/" + key);
    } catch (Exception e) {
      throw S3Failures.onObject(e, endpoint.url(), bucket, key);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] into, int offset, int length) throws IOException {
    if (closed) {
      throw new IOException("s3://" + bucket + "/" + key + " is closed");
    }
    try {
      int n = current.read(into, offset, length);
      if (n > 0) {
        position += n;
        counted.accept(n);
        stuckSince = 0;
      }
      return n;
    } catch (IOException e) {
      long now = System.nanoTime();
      if (stuckSince == 0) {
        stuckSince = now;
      }
      // Reopening may succeed each time while reading never does: that, too, ends with the budget.
      boolean spent = now - stuckSince > endpoint.retry().budget().toNanos();
      if (!StoreRetry.isTransient(e) || endpoint.retry().budget().isZero() || spent) {
        throw S3Failures.onObject(e, endpoint.url(), bucket, key);
      }
      resume();
      return read(into, offset, length);
    }
  }

  /** Drops the broken connection and continues from the first unread byte. */
  private void resume() throws IOException {
    try {
      current.close();
    } catch (IOException ignored) {
      // the connection is already broken; closing it is only tidiness
    }
    current = get(endpoint, bucket, key, start + position, length < 0 ? -1 : length - position);
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      current.close();
    }
  }
}
