package dev.semisup.worker.data;

import java.io.IOException;
import java.util.function.LongPredicate;

/**
 * A set of images read as a stream, in a stable order, never all in memory. Each call to
 * {@link #open} starts a new pass from the first image.
 */
public interface ImageSource {

  /**
   * A pass over the images whose ordinal passes {@code wanted}; the others are skipped without
   * decoding (an inference shard reads ordinal % shards == shard).
   */
  ImageStream open(LongPredicate wanted) throws IOException;

  default ImageStream open() throws IOException {
    return open(ordinal -> true);
  }

  /** A readable name for messages: the URI. */
  String describe();
}
