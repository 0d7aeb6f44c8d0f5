package dev.semisup.worker.sampling;

import java.util.Arrays;
import java.util.Comparator;

/**
 * One pool image kept under one class: the unit of the candidate shards and of the sampled index.
 *
 * <p>{@code ordinal} is the image's position in the pool source and is the reference the student
 * stage reads it back by; {@code key} is the readable form of the same reference (file, shard
 * member). {@code score} is the teacher's softmax probability of {@code pseudoLabel}. The image's
 * sparse teacher distribution over its top-P classes ({@code classes}, {@code probabilities},
 * best first) travels with every entry so that a student trained on soft targets needs no second
 * pass of the teacher. The arrays are shared by the up to P entries of one image and are never
 * copied: treat them as read-only.
 *
 * <p>{@code hiddenLabel} is the pool's own label of the image where its format has one, else
 * {@link #NO_HIDDEN_LABEL}: carried through inference for the select stage's precision report
 * only, so that no second pass over the pool is needed; no stage learns from it.
 *
 * <p>"Better" is a total order: higher score first, ties broken by the lower ordinal. Every stage
 * uses it, so that shards, the merge and a single pass over the pool agree entry for entry.
 */
public record Candidate(long ordinal, String key, int pseudoLabel, float score, int[] classes, float[] probabilities,
    int hiddenLabel) {

  public static final int NO_HIDDEN_LABEL = -1;

  /** Best first: higher score, then lower ordinal. */
  public static final Comparator<Candidate> BETTER_FIRST =
      (a, b) -> compare(a.score, a.ordinal, b.score, b.ordinal);

  /** A candidate whose pool has no labels of its own. */
  public Candidate(long ordinal, String key, int pseudoLabel, float score, int[] classes, float[] probabilities) {
    this(ordinal, key, pseudoLabel, score, classes, probabilities, NO_HIDDEN_LABEL);
  }

  public Candidate {
    if (hiddenLabel < 0) {
      hiddenLabel = NO_HIDDEN_LABEL;
    }
    if (key == null) {
      throw new IllegalArgumentException("candidate " + ordinal + " has no key");
    }
    if (classes.length != probabilities.length) {
      throw new IllegalArgumentException("candidate " + key + ": " + classes.length + " classes but "
          + probabilities.length + " probabilities");
    }
  }

  /**
   * Negative when (scoreA, ordinalA) is better than (scoreB, ordinalB), positive when worse, zero
   * only for the same score and ordinal. Primitive so that heaps can compare without objects.
   */
  public static int compare(float scoreA, long ordinalA, float scoreB, long ordinalB) {
    int byScore = Float.compare(scoreB, scoreA);
    return byScore != 0 ? byScore : Long.compare(ordinalA, ordinalB);
  }

  public boolean hasHiddenLabel() {
    return hiddenLabel != NO_HIDDEN_LABEL;
  }

  /** Number of classes in the sparse distribution (at most P). */
  public int topP() {
    return classes.length;
  }

  // A record compares arrays by reference; entries are compared by content in the codecs' round
  // trips and in the shard-merge equivalence, so equality follows the values.
  @Override
  public boolean equals(Object other) {
    return other instanceof Candidate c
        && ordinal == c.ordinal
        && pseudoLabel == c.pseudoLabel
        && hiddenLabel == c.hiddenLabel
        && Float.compare(score, c.score) == 0
        && key.equals(c.key)
        && Arrays.equals(classes, c.classes)
        && Arrays.equals(probabilities, c.probabilities);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(ordinal);
    h = 31 * h + key.hashCode();
    h = 31 * h + pseudoLabel;
    h = 31 * h + hiddenLabel;
    h = 31 * h + Float.hashCode(score);
    h = 31 * h + Arrays.hashCode(classes);
    return 31 * h + Arrays.hashCode(probabilities);
  }

  @Override
  public String toString() {
    return "Candidate[" + ordinal + " " + key + " class " + pseudoLabel + " score " + score
        + " top " + Arrays.toString(classes) + " " + Arrays.toString(probabilities)
        + (hiddenLabel == NO_HIDDEN_LABEL ? "" : " hidden label " + hiddenLabel) + "]";
  }
}
