package dev.semisup.worker.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The unbalanced selection (one global score threshold) against a brute force: the sharded heaps
 * and the two-pass select keep exactly the best K x classes (image, class) entries of the whole
 * pool, in the index's order (classes in order, each best first), with no shard holding more than
 * K x classes entries at any time.
 */
class UnbalancedSelectionTest {

  private static final Comparator<Candidate> GLOBAL_ORDER = (a, b) -> PerClassTopK.compareEntries(
      a.score(), a.ordinal(), a.pseudoLabel(), b.score(), b.ordinal(), b.pseudoLabel());

  @Test
  void shardsAndTheThresholdKeepTheGloballyBestEntries() throws IOException {
    Random random = new Random(2019);
    for (int trial = 0; trial < 200; trial++) {
      int classes = 1 + random.nextInt(6);
      int shards = 1 + random.nextInt(5);
      int k = 1 + random.nextInt(trial % 3 == 0 ? 30 : 5);
      int p = 1 + random.nextInt(classes);
      RandomPool pool = RandomPool.draw(random, classes, random.nextInt(80));

      List<Candidate> merged = merge(pool, k, p, shards);

      List<Candidate> all = new ArrayList<>();
      pool.bruteTopK(Integer.MAX_VALUE, p).forEach(all::addAll);
      all.sort(GLOBAL_ORDER);
      List<Candidate> best = new ArrayList<>(all.subList(0, Math.min(k * classes, all.size())));
      best.sort(Comparator.comparingInt(Candidate::pseudoLabel).thenComparing(GLOBAL_ORDER));
      assertThat(merged).as("trial %d: %d shards, k %d, p %d", trial, shards, k, p).isEqualTo(best);
    }
  }

  @Test
  void theIndexHasTheBalancedSizeButFollowsTheScores() throws IOException {
    // Every class has far more than K candidates, so the balanced index holds exactly K x classes.
    Random random = new Random(7);
    int classes = 4;
    int k = 20;
    RandomPool pool = RandomPool.draw(random, classes, 400);
    // Class 0 scores high on every image: a global threshold favours it, top-K per class cannot.
    for (float[] image : pool.probabilities()) {
      image[0] = 0.5f + image[0] / 2;
    }
    List<Candidate> unbalanced = merge(pool, k, classes, 3);
    List<Candidate> balanced = pool.bruteIndex(k, classes);

    assertThat(balanced).hasSize(k * classes);
    assertThat(unbalanced).hasSize(k * classes);
    long classZero = unbalanced.stream().filter(c -> c.pseudoLabel() == 0).count();
    assertThat(classZero).isGreaterThan(k);
    float threshold = (float) unbalanced.stream().mapToDouble(Candidate::score).min().orElseThrow();
    List<Candidate> everything = new ArrayList<>();
    pool.bruteTopK(Integer.MAX_VALUE, classes).forEach(everything::addAll);
    assertThat(everything.stream().filter(c -> c.score() > threshold).count())
        .as("no entry left out scores above the kept minimum").isLessThanOrEqualTo(k * classes);
  }

  @Test
  void aShardNeverHoldsMoreThanKTimesClassesEntries() {
    Random random = new Random(11);
    RandomPool pool = RandomPool.draw(random, 5, 500);
    PerClassTopK heaps = PerClassTopK.unbalanced(5, 7);
    for (int i = 0; i < pool.images(); i++) {
      heaps.offer(pool.ordinals()[i], RandomPool.key(pool.ordinals()[i]), pool.probabilities()[i], 5);
      assertThat(heaps.total()).isLessThanOrEqualTo(35);
    }
    assertThat(heaps.total()).isEqualTo(35);
    assertThat(heaps.k()).as("what its shard file records").isEqualTo(35);
  }

  private static List<Candidate> merge(RandomPool pool, int k, int p, int shards) throws IOException {
    List<byte[]> files = new ArrayList<>();
    for (int shard = 0; shard < shards; shard++) {
      PerClassTopK heaps = PerClassTopK.unbalanced(pool.classes(), k);
      for (int i = 0; i < pool.images(); i++) {
        if (pool.ordinals()[i] % shards == shard) {
          heaps.offer(pool.ordinals()[i], RandomPool.key(pool.ordinals()[i]), pool.probabilities()[i], p);
        }
      }
      assertThat(heaps.total()).isLessThanOrEqualTo((long) k * pool.classes());
      files.add(CandidateShardsTest.write(heaps, p));
    }
    GlobalThreshold.Entry threshold = GlobalThreshold.of(open(files), k * pool.classes()).orElse(null);
    List<Candidate> merged = new ArrayList<>();
    ShardMerge.merge(open(files), threshold, merged::add);
    return merged;
  }

  private static List<CandidateShardReader> open(List<byte[]> files) throws IOException {
    List<CandidateShardReader> readers = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      readers.add(CandidateShardReader.open(new ByteArrayInputStream(files.get(i)), "shard-" + i));
    }
    return readers;
  }
}
