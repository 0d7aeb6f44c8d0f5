package dev.semisup.worker.data.formats;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.data.decode.ImageBytes;
import dev.semisup.worker.data.decode.ImageDecoder;
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
public final class CorruptImages {

  private static final Logger LOG = LoggerFactory.getLogger(CorruptImages.class);
  /** Skipped images logged one by one in a pass; after them, a line per {@link #SUMMARY_EVERY}. */
  static final int LOGGED_ONE_BY_ONE = 5;
  static final int SUMMARY_EVERY = 1000;

  private final boolean skip;
  private long skipped;
  private long sinceSummary;

  public CorruptImages(boolean skip) {
    this.skip = skip;
  }

  /** Counts and logs the image when skipping, else throws a BadDataException naming it. */
  public void onCorrupt(String where, ImageDecoder.CorruptImageException cause) throws IOException {
    if (!skip) {
      throw new BadDataException(Printable.of(where) + ": " + cause.describe(), cause);
    }
    count(where, cause.describe());
  }

  /**
   * A second image member of one sample key (x.jpg beside x.png): a sample has one image, so the
   * later one is skipped and counted in a pool, and a labeled set holding it fails naming it.
   */
  public void onDuplicate(String where) throws IOException {
    String why = "a second image of the same sample key (a sample holds one image)";
    if (!skip) {
      throw new BadDataException(Printable.of(where) + ": " + why + "; rename or remove one");
    }
    count(where, why);
  }

  // A pool that is mostly unreadable would otherwise log a line per image: the first few name
  // their image, then a periodic line counts the rest, and the pass's end sums them up.
  private synchronized void count(String where, String why) {
    skipped++;
    if (skipped <= LOGGED_ONE_BY_ONE) {
      LOG.warn("Skipping {}: {}{}", Printable.of(where), why, skipped == LOGGED_ONE_BY_ONE
          ? " (further skipped images are counted, a line per " + SUMMARY_EVERY + ")" : "");
      return;
    }
    if (++sinceSummary == SUMMARY_EVERY) {
      LOG.warn("Skipped {} more images ({} in this pass so far); the latest: {}: {}", sinceSummary, skipped,
          Printable.of(where), why);
      sinceSummary = 0;
    }
  }

  /** Logs the count of the images skipped since the last line, at the end of the pass. */
  public synchronized void summarise() {
    if (sinceSummary > 0) {
      LOG.warn("Skipped {} more images; {} in this pass in all", sinceSummary, skipped);
      sinceSummary = 0;
    }
  }

  public synchronized long skipped() {
    return skipped;
  }
}
