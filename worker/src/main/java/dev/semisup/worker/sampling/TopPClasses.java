package dev.semisup.worker.sampling;

import java.util.Arrays;

/**
 * The P most probable classes of one image with their probabilities, best first (ties: the lower
 * class first). An image is a candidate only for these classes, so one image can be kept under at
 * most P classes of the sampled index.
 *
 * <p>The arrays are exactly P long (fewer when there are fewer classes) and are the image's sparse
 * teacher distribution: they are stored with each of its candidates, never copied.
 */
public final class TopPClasses {

  private final int[] classes;
  private final float[] probabilities;

  private TopPClasses(int[] classes, float[] probabilities) {
    this.classes = classes;
    this.probabilities = probabilities;
  }

  /**
   * Selects with a bounded min-heap of P class indices: one comparison rejects most classes, so an
   * image costs O(classes + P log P) and allocates only the two result arrays; no full sort of
   * the distribution.
   */
  public static TopPClasses of(float[] probabilities, int p) {
    if (p < 1) {
      throw new IllegalArgumentException("top-P must be at least 1, got " + p);
    }
    int size = Math.min(p, probabilities.length);
    int[] heap = new int[size]; // class indices; heap[0] is the worst kept class
    int kept = 0;
    float worst = Float.NEGATIVE_INFINITY; // probability at heap[0] once the heap is full
    for (int c = 0; c < probabilities.length; c++) {
      float probability = probabilities[c];
      if (probability < worst) {
        continue; // the common case for p << classes: one primitive comparison
      }
      if (Float.isNaN(probability)) {
        // A NaN would sort above every real probability and silently become a pseudo-label.
        throw new IllegalArgumentException("probability of class " + c + " is NaN");
      }
      if (kept < size) {
        heap[kept] = c;
        siftUp(heap, kept++, probabilities);
      } else if (better(c, heap[0], probabilities)) {
        heap[0] = c;
        siftDown(heap, 0, size, probabilities);
      } else {
        continue;
      }
      if (kept == size) {
        worst = probabilities[heap[0]];
      }
    }
    // Heap sort in place: popping the worst to the back leaves the array best first.
    for (int end = size - 1; end > 0; end--) {
      int worstClass = heap[0];
      heap[0] = heap[end];
      heap[end] = worstClass;
      siftDown(heap, 0, end, probabilities);
    }
    float[] keptProbabilities = new float[size];
    for (int i = 0; i < size; i++) {
      keptProbabilities[i] = probabilities[heap[i]];
    }
    return new TopPClasses(heap, keptProbabilities);
  }

  /** Classes already selected, best first (an entry read back from a checkpoint). */
  static TopPClasses of(int[] classes, float[] probabilities) {
    return new TopPClasses(classes, probabilities);
  }

  public int size() {
    return classes.length;
  }

  public int classAt(int rank) {
    return classes[rank];
  }

  public float probabilityAt(int rank) {
    return probabilities[rank];
  }

  /** The kept classes, best first; shared, do not modify. */
  public int[] classes() {
    return classes;
  }

  /** Their probabilities, aligned with {@link #classes()}; shared, do not modify. */
  public float[] probabilities() {
    return probabilities;
  }

  @Override
  public String toString() {
    return "TopPClasses" + Arrays.toString(classes) + Arrays.toString(probabilities);
  }

  /** Class a beats class b: higher probability, then lower class index. */
  private static boolean better(int a, int b, float[] probabilities) {
    int byProbability = Float.compare(probabilities[a], probabilities[b]);
    return byProbability > 0 || (byProbability == 0 && a < b);
  }

  private static void siftUp(int[] heap, int i, float[] probabilities) {
    int c = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!better(heap[parent], c, probabilities)) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = c;
  }

  private static void siftDown(int[] heap, int i, int size, float[] probabilities) {
    int c = heap[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && better(heap[child], heap[child + 1], probabilities)) {
        child++; // the worse of the two children
      }
      if (!better(c, heap[child], probabilities)) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = c;
  }
}
