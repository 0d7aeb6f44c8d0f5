package dev.semisup.worker.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PerClassTopKTest {

  @Test
  void equalsABruteForceFullSort() {
    Random random = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      int classes = 1 + random.nextInt(6);
      int images = random.nextInt(40);
      int k = trial % 5 == 0 ? 1 : 1 + random.nextInt(trial % 3 == 0 ? 60 : 5); // tiny K, K > pool
      int p = switch (trial % 3) {
        case 0 -> 1;
        case 1 -> classes;
        default -> 1 + random.nextInt(classes);
      };
      RandomPool pool = RandomPool.draw(random, classes, images);

      PerClassTopK topK = pool.select(k, p, 1, 0);

      List<List<Candidate>> expected = pool.bruteTopK(k, p);
      for (int cls = 0; cls < classes; cls++) {
        assertThat(topK.sorted(cls)).as("trial %d class %d", trial, cls).isEqualTo(expected.get(cls));
        assertThat(topK.size(cls)).isEqualTo(expected.get(cls).size());
      }
      assertThat(topK.total()).isEqualTo(expected.stream().mapToLong(List::size).sum());
      assertThat(topK.offered()).isEqualTo(images);
    }
  }

  @Test
  void offeringAfterSortingStillSelectsTheTopK() {
    // sorted(cls) rearranges the heap in place; offers that follow must still see a valid heap.
    Random random = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int classes = 1 + random.nextInt(4);
      int k = 1 + random.nextInt(6);
      int p = 1 + random.nextInt(classes);
      RandomPool pool = RandomPool.draw(random, classes, random.nextInt(50));
      PerClassTopK topK = new PerClassTopK(classes, k);
      for (int i = 0; i < pool.images(); i++) {
        long ordinal = pool.ordinals()[i];
        topK.offer(ordinal, RandomPool.key(ordinal), pool.probabilities()[i], p);
        if (random.nextInt(4) == 0) {
          topK.sorted(random.nextInt(classes));
        }
      }

      List<List<Candidate>> expected = pool.bruteTopK(k, p);
      for (int cls = 0; cls < classes; cls++) {
        assertThat(topK.sorted(cls)).as("trial %d class %d", trial, cls).isEqualTo(expected.get(cls));
        assertThat(topK.sorted(cls)).as("asked twice").isEqualTo(expected.get(cls));
      }
    }
  }

  @Test
  void anImageIsKeptUnderAtMostPClassesAndSharesItsDistribution() {
    PerClassTopK topK = new PerClassTopK(4, 2);

    int kept = topK.offer(9, "a.jpg", new float[] {0.1f, 0.6f, 0.3f, 0.0f}, 2);

    assertThat(kept).isEqualTo(2);
    assertThat(topK.size(0)).isZero();
    assertThat(topK.size(3)).isZero();
    Candidate under1 = topK.sorted(1).get(0);
    Candidate under2 = topK.sorted(2).get(0);
    assertThat(under1).isEqualTo(new Candidate(9, "a.jpg", 1, 0.6f, new int[] {1, 2}, new float[] {0.6f, 0.3f}));
    assertThat(under2.score()).isEqualTo(0.3f);
    assertThat(under2.classes()).isSameAs(under1.classes());
  }

  @Test
  void equalScoresKeepTheLowerOrdinal() {
    PerClassTopK topK = new PerClassTopK(1, 2);
    topK.offer(30, "c", new float[] {0.5f}, 1);
    topK.offer(10, "a", new float[] {0.5f}, 1);
    topK.offer(20, "b", new float[] {0.5f}, 1);

    assertThat(topK.sorted(0)).extracting(Candidate::ordinal).containsExactly(10L, 20L);
  }

  @Test
  void rejectsADistributionOfTheWrongLength() {
    PerClassTopK topK = new PerClassTopK(3, 1);

    assertThatThrownBy(() -> topK.offer(0, "x.jpg", new float[] {1f, 0f}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x.jpg: 2 probabilities for 3 classes");
  }
}
