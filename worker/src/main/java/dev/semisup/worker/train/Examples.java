package dev.semisup.worker.train;

import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.TrainingExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A training set held in memory as 8-bit images with targets, shuffled fully every epoch: for a
 * labeled set that fits the cache budget (8-bit keeps 50,000 28x28 images at 39 MB), and for
 * tests. Larger sets stream through {@link ShuffledShards}.
 */
public final class Examples implements TrainingSet {

  private final int classes;
  private final List<TrainingExample> examples = new ArrayList<>();
  private long pixelBytes;

  public Examples(int classes) {
    this.classes = classes;
  }

  public void addHard(ImageRecord image, int label) {
    if (label < 0 || label >= classes) {
      throw new IllegalArgumentException("label " + label + " outside 0.." + (classes - 1));
    }
    add(TrainingExample.hard(image, label));
  }

  /** Soft target: the given classes with weights (renormalised to sum to 1). */
  public void addSoft(ImageRecord image, int[] classIds, float[] weights) {
    add(TrainingExample.soft(image, classIds, weights));
  }

  public void add(TrainingExample example) {
    if (example.largestClass() >= classes) {
      throw new IllegalArgumentException("image " + example.image().key() + ": class " + example.largestClass()
          + " outside 0.." + (classes - 1));
    }
    examples.add(example);
    pixelBytes += example.image().pixels().length;
  }

  public int size() {
    return examples.size();
  }

  /** Bytes of pixels held, for the cache budget. */
  public long pixelBytes() {
    return pixelBytes;
  }

  @Override
  public int classes() {
    return classes;
  }

  @Override
  public long examplesPerEpoch() {
    return examples.size();
  }

  public TrainingExample get(int i) {
    return examples.get(i);
  }

  /** A full permutation per epoch, seeded by the epoch: the position is an index into it. */
  @Override
  public Pass epoch(long seed, int epoch, long position) {
    int[] order = permutation(examples.size(), new Random(TrainingSet.epochSeed(seed, epoch)));
    return new Pass() {
      int next = (int) Math.min(position, order.length);

      @Override
      public TrainingExample next() {
        return next < order.length ? examples.get(order[next++]) : null;
      }

      @Override
      public long position() {
        return next;
      }

      @Override
      public void close() {
      }
    };
  }

  static int[] permutation(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }
}
