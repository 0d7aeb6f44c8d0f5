package dev.semisup.worker.data;

import java.util.Arrays;

/**
 * One training example: an image and its target, a distribution over the classes. A hard label
 * (a labeled image, a pseudo-label) is one class of weight 1; a soft target is the teacher's
 * top-P distribution, renormalised to sum to 1.
 */
public record TrainingExample(ImageRecord image, int[] classes, float[] weights) {

  public static TrainingExample hard(ImageRecord image, int label) {
    return new TrainingExample(image, new int[] {label}, new float[] {1f});
  }

  public static TrainingExample soft(ImageRecord image, int[] classes, float[] weights) {
    if (classes.length != weights.length || classes.length == 0) {
      throw new IllegalArgumentException("image " + image.key() + ": " + classes.length + " classes for "
          + weights.length + " weights");
    }
    float sum = 0;
    for (float w : weights) {
      sum += w;
    }
    float[] normalised = new float[weights.length];
    for (int i = 0; i < weights.length; i++) {
      normalised[i] = sum > 0 ? weights[i] / sum : 1f / weights.length;
    }
    return new TrainingExample(image, classes.clone(), normalised);
  }

  /** The largest class this target names, to check it against the run's class count. */
  public int largestClass() {
    return Arrays.stream(classes).max().orElse(-1);
  }

  /** Writes the target distribution into out[offset .. offset + classCount). */
  public void writeTarget(float[] out, int offset, int classCount) {
    Arrays.fill(out, offset, offset + classCount, 0f);
    for (int j = 0; j < classes.length; j++) {
      out[offset + classes[j]] += weights[j];
    }
  }
}
