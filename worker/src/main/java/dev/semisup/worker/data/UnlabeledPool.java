package dev.semisup.worker.data;

import java.io.IOException;
import java.util.function.LongPredicate;

/**
 * The unlabeled pool the teacher labels: every image comes {@link ImageRecord#UNLABELED}, so no
 * stage can learn from a pool label by mistake, and, when the pool is the rest of the labeled
 * set's source, the labeled images are left out. Ordinals stay those of the source, so candidate
 * lists and the sampled index keep pointing at the same images. Evaluation code that wants the
 * pool's hidden labels opens the raw source instead ({@link DataSources#open}).
 */
public final class UnlabeledPool implements ImageSource {

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
    return pool.open(ordinal -> !excluded.test(ordinal) && wanted.test(ordinal))
        .map(image -> image.labeled()
            ? new ImageRecord(image.ordinal(), image.key(), ImageRecord.UNLABELED, image.channels(),
                image.height(), image.width(), image.pixels())
            : image);
  }

  @Override
  public String describe() {
    return pool.describe();
  }
}
