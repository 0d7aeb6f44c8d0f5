package dev.semisup.worker.data;

import dev.semisup.worker.input.Printable;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one pass does with an image that will not decode, whose header declares more pixels than
 * the budget ({@link ImageDecoder#MAX_PIXELS}), whose bytes exceed the byte budget
 * ({@link ImageBytes#MAX_BYTES}), or whose path is no regular file. A crawled pool always holds some broken
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

  /** Counts and logs the image when skipping, else throws a BadDataException naming it. */
  void onCorrupt(String where, ImageDecoder.CorruptImageException cause) throws IOException {
    if (!skip) {
      throw new BadDataException(Printable.of(where) + ": " + cause.describe(), cause);
    }
    skipped++;
    LOG.warn("Skipping {}: {}", Printable.of(where), cause.describe());
  }

  long skipped() {
    return skipped;
  }
}
