package dev.semisup.worker.data;

import dev.semisup.api.v1alpha1.DataSourceSpec;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.LongPredicate;

/**
 * The labeled set of a run: either a seeded choice of {@code perClass} images per class from the
 * source (the paper's low-shot settings), or the whole source. The choice is one streaming pass
 * with a reservoir per class, so memory is O(classes x perClass) whatever the source's size, and
 * the same source, seed and perClass always give the same ordinals.
 */
public final class LabeledSubset {

  private final ImageSource source;
  private final int classes;
  private final long[] chosen;
  private final long wholeCount;

  private LabeledSubset(ImageSource source, int classes, long[] chosen, long wholeCount) {
    this.source = source;
    this.classes = classes;
    this.chosen = chosen;
    this.wholeCount = wholeCount;
  }

  /** The subset the labeled spec asks for: perClass images per class with its seed, or all of them. */
  public static LabeledSubset of(DataSourceSpec spec, ImageSource source, int classes) throws IOException {
    if (spec.getPerClass() == null) {
      // The whole source: its first `limit` images when the spec has a limit.
      return new LabeledSubset(source, classes, null, spec.getLimit() == null ? Long.MAX_VALUE : spec.getLimit());
    }
    long seed = spec.getSeed() == null ? 0L : spec.getSeed();
    return new LabeledSubset(source, classes, choose(source, classes, spec.getPerClass(), seed), 0);
  }

  /**
   * Chooses perClass ordinals of every class, uniformly at random with the seed (reservoir
   * sampling), and returns them sorted. Reads only labels when the source can ({@link LabelScan}).
   * A class with fewer than perClass images, or an image without a valid label, is an error.
   */
  public static long[] choose(ImageSource source, int classes, int perClass, long seed) throws IOException {
    if (perClass < 1) {
      throw new IllegalArgumentException("perClass: must be at least 1, was " + perClass);
    }
    long[][] reservoirs = new long[classes][perClass];
    long[] seen = new long[classes];
    SplittableRandom random = new SplittableRandom(seed);
    LabelScan.Sink keep = (ordinal, label) -> {
      BadDataException problem = CheckedLabels.problem(source.describe(), "#" + ordinal, label, classes);
      if (problem != null) {
        throw problem;
      }
      long index = seen[label]++;
      if (index < perClass) {
        reservoirs[label][(int) index] = ordinal;
      } else {
        long slot = random.nextLong(index + 1);
        if (slot < perClass) {
          reservoirs[label][(int) slot] = ordinal;
        }
      }
    };
    if (source instanceof LabelScan scan) {
      scan.scanLabels(keep);
    } else {
      try (ImageStream stream = source.open()) {
        ImageRecord image;
        while ((image = stream.next()) != null) {
          keep.label(image.ordinal(), image.label());
        }
      }
    }
    long[] chosen = new long[classes * perClass];
    for (int c = 0; c < classes; c++) {
      if (seen[c] < perClass) {
        throw new BadDataException(source.describe() + ": class " + c + " has " + seen[c]
            + " images, fewer than perClass " + perClass);
      }
      System.arraycopy(reservoirs[c], 0, chosen, c * perClass, perClass);
    }
    Arrays.sort(chosen);
    return chosen;
  }

  /** Whether the image at this ordinal of the source belongs to the labeled set. */
  public boolean contains(long ordinal) {
    return chosen == null ? ordinal < wholeCount : Arrays.binarySearch(chosen, ordinal) >= 0;
  }

  /** The chosen ordinals, sorted; null when the whole source is the labeled set. */
  public long[] ordinals() {
    return chosen == null ? null : chosen.clone();
  }

  /** The labeled images (labels checked against the class count), keeping their source ordinals. */
  public ImageSource images() {
    CheckedLabels checked = new CheckedLabels(source, classes);
    if (chosen == null) {
      return checked;
    }
    return new ImageSource() {
      @Override
      public ImageStream open(LongPredicate wanted) throws IOException {
        return checked.open(ordinal -> contains(ordinal) && wanted.test(ordinal));
      }

      @Override
      public String describe() {
        return source.describe() + " (" + chosen.length / classes + " per class)";
      }
    };
  }
}
