package dev.semisup.worker.data;

import dev.semisup.worker.data.formats.PoolManifest;
import java.io.IOException;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The unlabeled pool the teacher labels: every image comes {@link ImageRecord#UNLABELED}, so no
 * stage can learn from a pool label by mistake, and, when the pool is the rest of the labeled
 * set's source, the labeled images are left out. Ordinals stay those of the source, so candidate
 * lists and the sampled index keep pointing at the same images.
 *
 * <p>A pool's own labels, where its format has them, are hidden labels: inference hands them to a
 * {@link HiddenLabels} sink as it strips them, to be carried in the candidate files for the
 * select stage's precision report (never to a stage that learns).
 */
public final class UnlabeledPool implements ImageSource {

  /** Receives the hidden label of each image a pass returns, just before it is stripped. */
  @FunctionalInterface
  public interface HiddenLabels {
    void seen(long ordinal, int label);
  }

  private final ImageSource pool;
  private final LongPredicate excluded;

  /** @param excluded ordinals to leave out, e.g. {@code labeledSubset::contains} */
  public UnlabeledPool(ImageSource pool, LongPredicate excluded) {
    this.pool = pool;
    this.excluded = excluded;
  }

  /** The whole pool, nothing left out. */
  public UnlabeledPool(ImageSource pool) {
    this(pool, ordinal -> false);
  }

  @Override
  public ImageStream open(LongPredicate wanted) throws IOException {
    return open(wanted, (ordinal, label) -> { });
  }

  public ImageStream open(LongPredicate wanted, HiddenLabels hidden) throws IOException {
    return strip(pool.open(ordinal -> !excluded.test(ordinal) && wanted.test(ordinal)), hidden);
  }

  /** Whether shards can read slices of the pool's files ({@link #open(PoolManifest, List, HiddenLabels)}). */
  public boolean sliceable(PoolManifest manifest) {
    return manifest.partitioned() && pool instanceof FileSlices;
  }

  /** A pass over some of the pool manifest's files only: an inference shard's slice. */
  public ImageStream open(PoolManifest manifest, List<PoolManifest.PoolFile> files, HiddenLabels hidden)
      throws IOException {
    if (!(pool instanceof FileSlices slices)) {
      throw new IllegalStateException(pool.describe() + " cannot be read by file");
    }
    return strip(slices.open(manifest, files, ordinal -> !excluded.test(ordinal)), hidden);
  }

  private static ImageStream strip(ImageStream stream, HiddenLabels hidden) {
    return stream.map(image -> {
      hidden.seen(image.ordinal(), image.label());
      return image.labeled()
          ? new ImageRecord(image.ordinal(), image.key(), ImageRecord.UNLABELED, image.channels(),
              image.height(), image.width(), image.pixels())
          : image;
    });
  }

  @Override
  public String describe() {
    return pool.describe();
  }
}
