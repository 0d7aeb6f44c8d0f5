package dev.semisup.worker.store;

import dev.semisup.worker.input.InvalidSettingException;
import io.minio.BucketExistsArgs;
import io.minio.ListObjectsArgs;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The run's artifacts in one S3 bucket, through the MinIO SDK. S3 makes single PUTs and completed
 * multipart uploads visible atomically, which is what gives the all-or-nothing writes.
 */
public final class S3ObjectStore implements ObjectStore {

  /** Part size of streamed uploads: memory per open stream, and 10,000 parts = 160 GB at most. */
  static final long DEFAULT_PART_SIZE = 16L << 20;

  private final S3Endpoint endpoint;
  private final String bucket;
  private final long partSize;
  private final AtomicLong bytesRead = new AtomicLong();

  /** The store does not own the endpoint: closing the store leaves its client open. */
  public S3ObjectStore(S3Endpoint endpoint, String bucket) {
    this(endpoint, bucket, DEFAULT_PART_SIZE);
  }

  /** {@code partSize} of at least 5 MiB, the S3 minimum; tests use it to exercise multipart. */
  S3ObjectStore(S3Endpoint endpoint, String bucket, long partSize) {
    if (bucket == null || bucket.isBlank()) {
      throw new InvalidSettingException("S3 bucket is empty (object store " + endpoint + ")");
    }
    this.endpoint = endpoint;
    this.bucket = bucket;
    this.partSize = partSize;
  }

  public String bucket() {
    return bucket;
  }

  S3Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public void put(String key, byte[] bytes) throws IOException {
    ObjectKeys.check(key);
    try {
      // A fresh stream per attempt: a failed attempt may have consumed part of the last one.
      endpoint.retry().call(() -> endpoint.client().putObject(PutObjectArgs.builder()
          .bucket(bucket)
          .object(key)
          .stream(new ByteArrayInputStream(bytes), bytes.length, -1)
          .build()));
    } catch (Exception e) {
      throw failure(e, key);
    }
  }

  @Override
  public boolean putIfAbsent(String key, byte[] bytes) throws IOException {
    ObjectKeys.check(key);
    try {
      endpoint.retry().call(() -> endpoint.client().putObject(PutObjectArgs.builder()
          .bucket(bucket)
          .object(key)
          .headers(java.util.Map.of("If-None-Match", "*"))
          .stream(new ByteArrayInputStream(bytes), bytes.length, -1)
          .build()));
      return true;
    } catch (Exception e) {
      if (isPreconditionFailed(e)) {
        return false;
      }
      throw failure(e, key);
    }
  }

  /** 412 (the key exists) or 409 (a concurrent conditional write of it), as S3 answers If-None-Match. */
  private static boolean isPreconditionFailed(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof ErrorResponseException error && error.response() != null
          && (error.response().code() == 412 || error.response().code() == 409)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public PendingObject create(String key) {
    ObjectKeys.check(key);
    return new S3Upload(this, bucket, key, partSize);
  }

  @Override
  public InputStream open(String key) throws IOException {
    ObjectKeys.check(key);
    return ResumingObjectStream.open(endpoint, bucket, key, bytesRead::addAndGet);
  }

  /** A ranged GET: only the asked bytes cross the network. */
  @Override
  public InputStream openRange(String key, long offset, long length) throws IOException {
    ObjectKeys.check(key);
    return ResumingObjectStream.openRange(endpoint, bucket, key, offset, length, bytesRead::addAndGet);
  }

  @Override
  public long bytesRead() {
    return bytesRead.get();
  }

  @Override
  public boolean exists(String key) throws IOException {
    ObjectKeys.check(key);
    try {
      endpoint.retry().call(() ->
          endpoint.client().statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()));
      return true;
    } catch (Exception e) {
      if (S3Failures.isNoSuchKey(e)) {
        return false;
      }
      throw failure(e, key);
    }
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    String checked = ObjectKeys.checkPrefix(prefix);
    List<String> keys;
    try {
      // The listing is paged lazily: a retry starts it over.
      keys = endpoint.retry().call(() -> {
        List<String> found = new ArrayList<>();
        for (Result<Item> result : endpoint.client().listObjects(ListObjectsArgs.builder()
            .bucket(bucket)
            .prefix(checked)
            .recursive(true)
            .build())) {
          Item item = result.get();
          if (!item.isDir()) {
            found.add(item.objectName());
          }
        }
        return found;
      });
    } catch (Exception e) {
      throw S3Failures.onBucket(e, endpoint.url(), bucket);
    }
    // S3 sorts by UTF-8 bytes; sorting here gives the same order as the local store everywhere.
    keys.sort(null);
    return keys;
  }

  @Override
  public void delete(String key) throws IOException {
    ObjectKeys.check(key);
    try {
      endpoint.retry().call(() -> {
        endpoint.client().removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        return null;
      });
    } catch (Exception e) {
      throw failure(e, key);
    }
  }

  @Override
  public String uri(String key) {
    return "s3://" + bucket + "/" + key;
  }

  @Override
  public void checkReachable() throws IOException {
    boolean exists;
    try {
      exists = endpoint.retry().call(() ->
          endpoint.client().bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
    } catch (Exception e) {
      throw S3Failures.onBucket(e, endpoint.url(), bucket);
    }
    if (!exists) {
      throw new IOException("object store " + endpoint + " has no bucket " + bucket
          + ": create it, or set spec.storage.bucket");
    }
  }

  @Override
  public String toString() {
    return "object store " + endpoint + " (bucket " + bucket + ")";
  }

  IOException failure(Throwable e, String key) {
    return S3Failures.onObject(e, endpoint.url(), bucket, key);
  }
}
