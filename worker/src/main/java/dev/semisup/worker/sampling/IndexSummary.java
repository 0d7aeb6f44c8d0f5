package dev.semisup.worker.sampling;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongToIntFunction;

/**
 * What the sampled index holds, for {@code index/summary.json} and the run's status: entries per
 * class and how confident the teacher was about them, and how often the top-P rule kept one image
 * under several classes.
 *
 * <p>Score quantiles are nearest-rank, so every number is a score that is really in the index.
 * {@code pseudoLabelPrecision} is present only when the pool's hidden labels are known (a labeled
 * data set used as a pool, for reporting): given by the caller, or carried by every entry
 * ({@link Candidate#hiddenLabel()}, from inference); it is the share of entries whose pseudo-label
 * equals the hidden label. {@code skippedImages} is the number of pool images the infer shards
 * skipped as corrupt or beyond the pixel budget, summed over shards; null when a shard did not say.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IndexSummary(
    int classes,
    long entries,
    long distinctImages,
    long imagesUnderSeveralClasses,
    Double pseudoLabelPrecision,
    List<ClassSummary> perClass,
    Long skippedImages) {

  /** This summary with the infer step's count of skipped pool images. */
  public IndexSummary withSkippedImages(Long skipped) {
    return new IndexSummary(classes, entries, distinctImages, imagesUnderSeveralClasses, pseudoLabelPrecision, perClass,
        skipped);
  }

  /** One class of the index; the score fields are null when the class has no entry. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ClassSummary(
      int pseudoLabel,
      int count,
      Float minScore,
      Float p10Score,
      Float medianScore,
      Float p90Score,
      Float maxScore,
      Double pseudoLabelPrecision) {
  }

  public static Builder builder(int classes) {
    return new Builder(classes, null);
  }

  /** A builder that also measures pseudo-label precision against the pool's hidden labels. */
  public static Builder builder(int classes, LongToIntFunction hiddenLabel) {
    return new Builder(classes, hiddenLabel);
  }

  /**
   * A builder that measures precision against the hidden labels the entries carry, reporting it
   * only when every entry has one (a pool with no labels of its own reports none).
   */
  public static Builder builderFromEntries(int classes) {
    return new Builder(classes, null, true);
  }

  /**
   * Collects entries in any order. Holds one score per entry and one ordinal per entry, so its
   * memory is that of the index's numbers, O(classes x K), like everything in the select stage.
   */
  public static final class Builder implements CandidateSink {

    private final int classes;
    private final LongToIntFunction hiddenLabel;
    private final boolean fromEntries;
    private boolean everyEntryHidden = true;
    private final float[][] scores;
    private final int[] counts;
    private final int[] correct;
    private long[] ordinals = new long[64];
    private long entries;

    private Builder(int classes, LongToIntFunction hiddenLabel) {
      this(classes, hiddenLabel, false);
    }

    private Builder(int classes, LongToIntFunction hiddenLabel, boolean fromEntries) {
      this.fromEntries = fromEntries;
      if (classes < 1) {
        throw new IllegalArgumentException("classes must be at least 1, got " + classes);
      }
      this.classes = classes;
      this.hiddenLabel = hiddenLabel;
      this.scores = new float[classes][];
      Arrays.fill(scores, new float[0]);
      this.counts = new int[classes];
      this.correct = new int[classes];
    }

    @Override
    public void accept(Candidate candidate) {
      int cls = candidate.pseudoLabel();
      if (cls < 0 || cls >= classes) {
        throw new IllegalArgumentException(candidate + ": pseudo-label outside 0.." + (classes - 1));
      }
      if (counts[cls] == scores[cls].length) {
        scores[cls] = Arrays.copyOf(scores[cls], Math.max(16, 2 * counts[cls]));
      }
      scores[cls][counts[cls]++] = candidate.score();
      if (entries == ordinals.length) {
        ordinals = Arrays.copyOf(ordinals, (int) Math.min(Integer.MAX_VALUE - 8, 2L * ordinals.length));
      }
      ordinals[(int) entries++] = candidate.ordinal();
      if (hiddenLabel != null && hiddenLabel.applyAsInt(candidate.ordinal()) == cls) {
        correct[cls]++;
      }
      if (fromEntries) {
        everyEntryHidden &= candidate.hasHiddenLabel();
        if (candidate.hiddenLabel() == cls) {
          correct[cls]++;
        }
      }
    }

    public IndexSummary build() {
      boolean knowsLabels = hiddenLabel != null || (fromEntries && everyEntryHidden);
      List<ClassSummary> perClass = new ArrayList<>(classes);
      long correctTotal = 0;
      for (int cls = 0; cls < classes; cls++) {
        int n = counts[cls];
        float[] sorted = Arrays.copyOf(scores[cls], n);
        Arrays.sort(sorted);
        correctTotal += correct[cls];
        Double precision = !knowsLabels || n == 0 ? null : (double) correct[cls] / n;
        perClass.add(n == 0
            ? new ClassSummary(cls, 0, null, null, null, null, null, null)
            : new ClassSummary(cls, n, sorted[0], quantile(sorted, 10), quantile(sorted, 50),
                quantile(sorted, 90), sorted[n - 1], precision));
      }
      long[] images = Arrays.copyOf(ordinals, (int) entries);
      Arrays.sort(images);
      long distinct = 0;
      long several = 0;
      for (int i = 0; i < images.length; ) {
        int j = i;
        while (j < images.length && images[j] == images[i]) {
          j++;
        }
        distinct++;
        if (j - i > 1) {
          several++;
        }
        i = j;
      }
      Double precision = !knowsLabels || entries == 0 ? null : (double) correctTotal / entries;
      return new IndexSummary(classes, entries, distinct, several, precision, List.copyOf(perClass), null);
    }

    /**
     * Nearest rank: the smallest score with at least {@code percent}% of the scores at or below
     * it. Integer arithmetic, because 0.1 * 30 in doubles rounds up past rank 3.
     */
    private static float quantile(float[] ascending, int percent) {
      long rank = (percent * (long) ascending.length + 99) / 100;
      return ascending[(int) Math.max(0, rank - 1)];
    }
  }
}
