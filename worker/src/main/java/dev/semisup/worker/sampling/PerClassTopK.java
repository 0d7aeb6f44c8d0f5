package dev.semisup.worker.sampling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The per-class top-K of the paper: for every class, the K best images offered so far, where an
 * image is offered only to its top-P classes with the teacher's probability as the score.
 *
 * <p>Each class is a bounded min-heap whose root is the worst kept image, so an image that cannot
 * enter costs one comparison. The heap holds scores and ordinals in primitive arrays (an offer
 * runs for every pool image and each of its P classes, and K x classes reaches 16 million), plus
 * one reference to the image's key and sparse distribution, shared by all its classes. Arrays grow
 * on demand up to K, so memory is O(classes x K) at most and O(kept) in practice — never O(pool).
 *
 * <p>{@link #unbalanced} is the ablation of the paper's balanced choice: one global bound of
 * K x classes entries over all classes (any class may take up to all of them), so the kept set is
 * the best K x classes (image, class) entries of the shard: one score threshold for every class.
 * Memory stays O(classes x K).
 *
 * <p>Not thread-safe: one inference shard feeds one instance.
 */
public final class PerClassTopK {

  private static final int INITIAL_CAPACITY = 16;

  private final int classes;
  private final int k;
  private final int totalBound; // Integer.MAX_VALUE when balanced: each class is bounded by k alone
  private long total;
  private final float[][] scores;
  private final long[][] ordinals;
  private final PoolImage[][] images;
  private final int[] sizes;
  private final boolean[] worstFirst; // the class's arrays are sorted, see sorted(int)
  private long offered;

  /** What every kept entry of one image shares: its reference, its top-P classes and its hidden label. */
  private record PoolImage(String key, TopPClasses top, int hiddenLabel) {
  }

  /** The paper's balanced top-K: at most K images per class. */
  public PerClassTopK(int classes, int k) {
    this(classes, k, Integer.MAX_VALUE);
  }

  /**
   * One global threshold instead of one per class: the best {@code k x classes} entries over all
   * classes. Its {@link #k()} (what a candidate shard records) is that total.
   */
  public static PerClassTopK unbalanced(int classes, int k) {
    if (classes < 1 || k < 1 || (long) classes * k > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("unbalanced top-K needs classes >= 1, k >= 1 and k x classes that fits an"
          + " array, got classes " + classes + ", k " + k);
    }
    return new PerClassTopK(classes, classes * k, classes * k);
  }

  private PerClassTopK(int classes, int k, int totalBound) {
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be at least 1, got " + classes);
    }
    if (k < 1) {
      throw new IllegalArgumentException("top-K must be at least 1, got " + k);
    }
    this.classes = classes;
    this.k = k;
    this.totalBound = totalBound;
    this.scores = new float[classes][];
    this.ordinals = new long[classes][];
    this.images = new PoolImage[classes][];
    this.sizes = new int[classes];
    this.worstFirst = new boolean[classes];
    Arrays.fill(scores, new float[0]);
    Arrays.fill(ordinals, new long[0]);
    Arrays.fill(images, new PoolImage[0]);
  }

  /**
   * Offers one pool image, given the teacher's full distribution: its top-P classes are selected
   * here. Returns under how many classes it is kept for now (a later, better image may evict it).
   */
  public int offer(long ordinal, String key, float[] probabilities, int p) {
    return offer(ordinal, key, probabilities, p, Candidate.NO_HIDDEN_LABEL);
  }

  /** As {@link #offer(long, String, float[], int)}, carrying the pool's own label of the image. */
  public int offer(long ordinal, String key, float[] probabilities, int p, int hiddenLabel) {
    if (probabilities.length != classes) {
      throw new IllegalArgumentException("image " + key + ": " + probabilities.length
          + " probabilities for " + classes + " classes");
    }
    return offer(ordinal, key, TopPClasses.of(probabilities, p), hiddenLabel);
  }

  /** Offers one pool image under each of its top-P classes; returns under how many it is kept. */
  public int offer(long ordinal, String key, TopPClasses top) {
    return offer(ordinal, key, top, Candidate.NO_HIDDEN_LABEL);
  }

  /**
   * Puts back one entry of a checkpoint (see the infer stage): under its own class only, as it
   * was kept, without counting an offer. Restoring every entry of a written shard gives a heap set
   * whose {@link #sorted} lists equal the shard's.
   */
  public void restore(Candidate entry) {
    int cls = entry.pseudoLabel();
    checkClass(cls);
    int size = sizes[cls];
    if (size >= k) {
      throw new IllegalArgumentException("class " + cls + " already holds top-K " + k + " entries: " + entry);
    }
    ensureCapacity(cls, size + 1);
    scores[cls][size] = entry.score();
    ordinals[cls][size] = entry.ordinal();
    images[cls][size] = new PoolImage(entry.key(), TopPClasses.of(entry.classes(), entry.probabilities()), entry.hiddenLabel());
    sizes[cls] = size + 1;
    total++;
    siftUp(cls, size);
    worstFirst[cls] = false;
  }

  /** Restores the count of offers a checkpoint had seen, so a resumed shard reports as an uninterrupted one. */
  public void restoreOffered(long offered) {
    this.offered = offered;
  }

  private int offer(long ordinal, String key, TopPClasses top, int hiddenLabel) {
    offered++;
    PoolImage image = null; // created only when the image enters a heap: most images do not
    int kept = 0;
    for (int rank = 0; rank < top.size(); rank++) {
      int cls = top.classAt(rank);
      if (cls < 0 || cls >= classes) {
        throw new IllegalArgumentException("image " + key + ": class " + cls + " outside 0.." + (classes - 1));
      }
      float score = top.probabilityAt(rank);
      if (total >= totalBound) {
        // Unbalanced and full: the new entry replaces the worst entry of any class, if better.
        int worst = globalWorstClass();
        if (compareEntries(score, ordinal, cls, scores[worst][0], ordinals[worst][0], worst) >= 0) {
          continue;
        }
        removeWorst(worst);
      }
      int size = sizes[cls];
      if (size < k) {
        if (image == null) {
          image = new PoolImage(key, top, hiddenLabel);
        }
        ensureCapacity(cls, size + 1);
        scores[cls][size] = score;
        ordinals[cls][size] = ordinal;
        images[cls][size] = image;
        sizes[cls] = size + 1;
        total++;
        siftUp(cls, size);
        worstFirst[cls] = false;
        kept++;
      } else if (Candidate.compare(score, ordinal, scores[cls][0], ordinals[cls][0]) < 0) {
        if (image == null) {
          image = new PoolImage(key, top, hiddenLabel);
        }
        scores[cls][0] = score;
        ordinals[cls][0] = ordinal;
        images[cls][0] = image;
        siftDown(scores[cls], ordinals[cls], images[cls], 0, size);
        worstFirst[cls] = false;
        kept++;
      }
    }
    return kept;
  }

  /**
   * The (score, ordinal, class) order of the unbalanced selection: the candidates' order, and for
   * one image kept under two classes with the same score, the lower class first. Negative when
   * entry A is better.
   */
  public static int compareEntries(float scoreA, long ordinalA, int classA, float scoreB, long ordinalB, int classB) {
    int byCandidate = Candidate.compare(scoreA, ordinalA, scoreB, ordinalB);
    return byCandidate != 0 ? byCandidate : Integer.compare(classA, classB);
  }

  /** The class whose worst kept entry is the worst of all: O(classes), paid only when the global bound is full. */
  private int globalWorstClass() {
    int worst = -1;
    for (int c = 0; c < classes; c++) {
      if (sizes[c] == 0) {
        continue;
      }
      // The root is the worst of its class, unless sorted (worst first too, see sorted()).
      if (worst < 0 || compareEntries(scores[c][0], ordinals[c][0], c, scores[worst][0], ordinals[worst][0], worst) > 0) {
        worst = c;
      }
    }
    return worst;
  }

  private void removeWorst(int cls) {
    int last = sizes[cls] - 1;
    swap(scores[cls], ordinals[cls], images[cls], 0, last);
    images[cls][last] = null;
    sizes[cls] = last;
    total--;
    siftDown(scores[cls], ordinals[cls], images[cls], 0, last);
    worstFirst[cls] = false;
  }

  /**
   * The kept candidates of one class, best first. The class's arrays are sorted in place, worst
   * first: a sorted array is still a valid min-heap, so offers may continue, and asking again
   * (the shard writer walks every class twice) costs O(K) until the next offer to the class.
   */
  public List<Candidate> sorted(int cls) {
    checkClass(cls);
    int size = sizes[cls];
    float[] s = scores[cls];
    long[] o = ordinals[cls];
    PoolImage[] img = images[cls];
    if (!worstFirst[cls]) {
      // Heap sort: moving the worst to the back leaves the arrays best first; then reverse.
      for (int end = size - 1; end > 0; end--) {
        swap(s, o, img, 0, end);
        siftDown(s, o, img, 0, end);
      }
      for (int i = 0, j = size - 1; i < j; i++, j--) {
        swap(s, o, img, i, j);
      }
      worstFirst[cls] = true;
    }
    List<Candidate> sorted = new ArrayList<>(size);
    for (int i = size - 1; i >= 0; i--) {
      TopPClasses top = img[i].top();
      sorted.add(new Candidate(o[i], img[i].key(), cls, s[i], top.classes(), top.probabilities(), img[i].hiddenLabel()));
    }
    return sorted;
  }

  /** Candidates kept under one class: min(K, images offered to it) when balanced. */
  public int size(int cls) {
    checkClass(cls);
    return sizes[cls];
  }

  /** Candidates kept over all classes. */
  public long total() {
    return total;
  }

  /** True when the bound is one global K x classes instead of K per class. */
  public boolean isUnbalanced() {
    return totalBound != Integer.MAX_VALUE;
  }

  /** Images offered so far. */
  public long offered() {
    return offered;
  }

  public int classes() {
    return classes;
  }

  public int k() {
    return k;
  }

  private void checkClass(int cls) {
    if (cls < 0 || cls >= classes) {
      throw new IndexOutOfBoundsException("class " + cls + " outside 0.." + (classes - 1));
    }
  }

  private void ensureCapacity(int cls, int needed) {
    int capacity = scores[cls].length;
    if (needed <= capacity) {
      return;
    }
    int grown = (int) Math.min(k, Math.max(INITIAL_CAPACITY, 2L * capacity));
    scores[cls] = Arrays.copyOf(scores[cls], grown);
    ordinals[cls] = Arrays.copyOf(ordinals[cls], grown);
    images[cls] = Arrays.copyOf(images[cls], grown);
  }

  // The heap keeps the worst entry at the root: a parent is never better than its children.

  private void siftUp(int cls, int i) {
    float[] s = scores[cls];
    long[] o = ordinals[cls];
    PoolImage[] img = images[cls];
    float score = s[i];
    long ordinal = o[i];
    PoolImage image = img[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (Candidate.compare(s[parent], o[parent], score, ordinal) >= 0) {
        break;
      }
      s[i] = s[parent];
      o[i] = o[parent];
      img[i] = img[parent];
      i = parent;
    }
    s[i] = score;
    o[i] = ordinal;
    img[i] = image;
  }

  private static void siftDown(float[] s, long[] o, PoolImage[] img, int i, int size) {
    float score = s[i];
    long ordinal = o[i];
    PoolImage image = img[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && Candidate.compare(s[child], o[child], s[child + 1], o[child + 1]) < 0) {
        child++; // the worse of the two children
      }
      if (Candidate.compare(score, ordinal, s[child], o[child]) >= 0) {
        break;
      }
      s[i] = s[child];
      o[i] = o[child];
      img[i] = img[child];
      i = child;
    }
    s[i] = score;
    o[i] = ordinal;
    img[i] = image;
  }

  private static void swap(float[] s, long[] o, PoolImage[] img, int a, int b) {
    float score = s[a];
    s[a] = s[b];
    s[b] = score;
    long ordinal = o[a];
    o[a] = o[b];
    o[b] = ordinal;
    PoolImage image = img[a];
    img[a] = img[b];
    img[b] = image;
  }
}
