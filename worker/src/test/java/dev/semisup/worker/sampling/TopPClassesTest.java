package dev.semisup.worker.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopPClassesTest {

  @Test
  void equalsAFullSortOnRandomDistributionsWithTies() {
    Random random = new Random(7);
    for (int trial = 0; trial < 300; trial++) {
      int classes = 1 + random.nextInt(trial % 10 == 0 ? 1000 : 12);
      int p = switch (trial % 4) {
        case 0 -> 1;
        case 1 -> classes;
        case 2 -> classes + 1 + random.nextInt(3); // more than there are classes
        default -> 1 + random.nextInt(classes);
      };
      float[] probabilities = RandomPool.draw(random, classes, 1).probabilities()[0];

      TopPClasses top = TopPClasses.of(probabilities, p);

      List<Integer> expected = RandomPool.bruteTopP(probabilities, p);
      assertThat(top.classes()).as("trial %d", trial).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
      for (int r = 0; r < top.size(); r++) {
        assertThat(top.probabilityAt(r)).isEqualTo(probabilities[top.classAt(r)]);
      }
    }
  }

  @Test
  void tiesGoToTheLowerClass() {
    TopPClasses top = TopPClasses.of(new float[] {0.2f, 0.3f, 0.2f, 0.3f, 0.0f}, 3);

    assertThat(top.classes()).containsExactly(1, 3, 0);
    assertThat(top.probabilities()).containsExactly(0.3f, 0.3f, 0.2f);
  }

  @Test
  void rejectsNaNAndNonPositiveP() {
    assertThatThrownBy(() -> TopPClasses.of(new float[] {0.5f, Float.NaN}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("class 1 is NaN");
    assertThatThrownBy(() -> TopPClasses.of(new float[] {1f}, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top-P");
  }
}
