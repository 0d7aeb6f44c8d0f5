package dev.semisup.worker.data;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one pass does with an image that will not decode. A crawled pool always holds some broken
 * files, so pools skip and count them; in a labeled or validation set a broken image is a broken
 * data set, so it fails naming the image.
 */
final class CorruptImages {

  private static final Logger LOG = LoggerFactory.getLogger(CorruptImages.class);

  private final boolean skip;
  private long skipped;

  CorruptImages(boolean skip) {
    this.skip = skip;
  }

  /** Counts and logs the image when skipping, else throws an IOException naming it. */
  void onCorrupt(String where, ImageDecoder.CorruptImageException cause) throws IOException {
    if (!skip) {
      throw new IOException(where + ": corrupt image: " + cause.getMessage(), cause);
    }
    skipped++;
    LOG.warn("Skipping corrupt image {}: {}", where, cause.getMessage());
  }

  long skipped() {
    return skipped;
  }
}
