package dev.semisup.worker.store;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The run's artifact store: one bucket, keys as given by {@code ObjectLayout}. Two
 * implementations keep the same layout: S3 (MinIO SDK) and a local directory.
 *
 * <p>Writes are all-or-nothing: an object becomes visible only when its write completes, so a
 * reader never sees half an object (a killed pod leaves either the old object or none).
 */
public interface ObjectStore extends AutoCloseable {

  void put(String key, byte[] bytes) throws IOException;

  default void putString(String key, String text) throws IOException {
    put(key, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A stream whose bytes become the object when it is closed without error; for objects too large
   * to hold in memory (model parameters, candidate shards). A stream never closed leaves nothing.
   * Both stores return a {@link PendingObject}; prefer {@link #write}, which discards the bytes
   * when the writer fails instead of publishing a truncated object.
   */
  OutputStream create(String key) throws IOException;

  /** Writes the bytes of one object into a stream. */
  @FunctionalInterface
  interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Streams an object from {@code writer}: published when it returns, discarded when it throws
   * (try-with-resources around {@link #create} would publish the truncated bytes instead).
   */
  default void write(String key, Writer writer) throws IOException {
    OutputStream out = create(key);
    try {
      writer.writeTo(out);
    } catch (Throwable failure) {
      if (out instanceof PendingObject pending) {
        try {
          pending.discard();
        } catch (IOException | RuntimeException e) {
          failure.addSuppressed(e);
        }
      }
      // A stream that cannot be discarded is left unclosed: abandoned, it publishes nothing.
      throw failure;
    }
    out.close();
  }

  /**
   * Writes the object only if no object has the key, in one step (a local file linked into place, an
   * S3 PUT with {@code If-None-Match: *}); false when one exists. What a lock is made of: of two
   * writers racing for a key, one gets it (a store that ignores the condition lets the last write win,
   * so a caller that must know reads the object back).
   */
  boolean putIfAbsent(String key, byte[] bytes) throws IOException;

  /** Reads an object; a missing key throws {@link FileNotFoundException} naming the key. */
  InputStream open(String key) throws IOException;

  /**
   * {@code length} bytes of an object from {@code offset}: a ranged GET on S3, a positioned file
   * locally, so that only those bytes are moved. Fewer bytes come back where the object is shorter.
   */
  InputStream openRange(String key, long offset, long length) throws IOException;

  /**
   * Bytes of object bodies this store has handed to readers since it was made, whole and ranged
   * reads alike: on S3, what crossed the network for them.
   */
  long bytesRead();

  default byte[] get(String key) throws IOException {
    try (InputStream in = open(key)) {
      return in.readAllBytes();
    }
  }

  default String getString(String key) throws IOException {
    return new String(get(key), StandardCharsets.UTF_8);
  }

  boolean exists(String key) throws IOException;

  /** Keys starting with the prefix, sorted. */
  List<String> list(String prefix) throws IOException;

  void delete(String key) throws IOException;

  /** The object's address for people and status: s3://bucket/key or file:///dir/key. */
  String uri(String key);

  /** Fails with a message naming the store if it cannot be reached or the bucket is missing. */
  void checkReachable() throws IOException;

  @Override
  default void close() throws IOException {
  }
}
