package dev.semisup.worker.sampling;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A seeded random pool of teacher outputs for property tests, and the brute-force selection the
 * fast code must equal: full sorts, no heaps.
 */
record RandomPool(int classes, long[] ordinals, float[][] probabilities) {

  /**
   * Sizes are small so that K often exceeds what a class gets; half the pools draw probabilities
   * from a handful of levels, so exact ties (within an image and across images) are common.
   */
  static RandomPool draw(Random random, int classes, int images) {
    boolean coarse = random.nextBoolean();
    int levels = 1 + random.nextInt(4);
    List<Long> ordinals = new ArrayList<>();
    long next = random.nextInt(3);
    for (int i = 0; i < images; i++) {
      ordinals.add(next);
      next += 1 + random.nextInt(3); // pools may skip ordinals (corrupt or excluded images)
    }
    Collections.shuffle(ordinals, random); // offering order must not matter
    long[] ords = ordinals.stream().mapToLong(Long::longValue).toArray();
    float[][] probabilities = new float[images][classes];
    for (int i = 0; i < images; i++) {
      for (int c = 0; c < classes; c++) {
        probabilities[i][c] = coarse ? random.nextInt(levels + 1) / (float) levels : random.nextFloat();
      }
    }
    return new RandomPool(classes, ords, probabilities);
  }

  int images() {
    return ordinals.length;
  }

  static String key(long ordinal) {
    return "pool/img-" + ordinal + ".jpg";
  }

  /** One pass over the images whose ordinal % shards == shard, as an inference pod does. */
  PerClassTopK select(int k, int p, int shards, int shard) {
    PerClassTopK topK = new PerClassTopK(classes, k);
    for (int i = 0; i < images(); i++) {
      if (ordinals[i] % shards == shard) {
        topK.offer(ordinals[i], key(ordinals[i]), probabilities[i], p);
      }
    }
    return topK;
  }

  /** The top-P of one image by a full sort of its classes. */
  static List<Integer> bruteTopP(float[] probabilities, int p) {
    List<Integer> order = new ArrayList<>();
    for (int c = 0; c < probabilities.length; c++) {
      order.add(c);
    }
    order.sort(Comparator.<Integer>comparingDouble(c -> -probabilities[c]).thenComparingInt(c -> c));
    return order.subList(0, Math.min(p, order.size()));
  }

  /** Per class, the top-K by a full sort of every candidate of the pool. */
  List<List<Candidate>> bruteTopK(int k, int p) {
    List<List<Candidate>> perClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      perClass.add(new ArrayList<>());
    }
    for (int i = 0; i < images(); i++) {
      List<Integer> top = bruteTopP(probabilities[i], p);
      int[] topClasses = top.stream().mapToInt(Integer::intValue).toArray();
      float[] topProbabilities = new float[topClasses.length];
      for (int r = 0; r < topClasses.length; r++) {
        topProbabilities[r] = probabilities[i][topClasses[r]];
      }
      for (int cls : topClasses) {
        perClass.get(cls).add(new Candidate(ordinals[i], key(ordinals[i]), cls, probabilities[i][cls],
            topClasses, topProbabilities));
      }
    }
    for (int c = 0; c < classes; c++) {
      List<Candidate> all = perClass.get(c);
      all.sort(Comparator.comparingDouble((Candidate x) -> -x.score()).thenComparingLong(Candidate::ordinal));
      perClass.set(c, new ArrayList<>(all.subList(0, Math.min(k, all.size()))));
    }
    return perClass;
  }

  /** The sampled index of a single pass: classes in order, each best first. */
  List<Candidate> bruteIndex(int k, int p) {
    List<Candidate> index = new ArrayList<>();
    bruteTopK(k, p).forEach(index::addAll);
    return index;
  }
}
