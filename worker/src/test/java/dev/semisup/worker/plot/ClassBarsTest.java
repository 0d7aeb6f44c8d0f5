package dev.semisup.worker.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ClassBarsTest {

  private static final List<String> CLASSES = IntStream.range(0, 10).mapToObj(i -> "class " + i).toList();
  private static final double NONE = Double.NaN;

  @Test
  void drawsTheScoresOfAnIndexWithEmptyClassesInsideTheRange() throws Exception {
    // An unbalanced index of the selection grid: classes 2, 4 and 6 got no entry. Drawn with the
    // empty classes left out of the series, XChart's axis layout never returned.
    double[] p10 = {0.9953, 0.9964, NONE, 0.9956, NONE, 0.9962, NONE, 0.9956, 0.9967, 0.9955};
    double[] median = {0.9963, 0.9982, NONE, 0.9974, NONE, 0.9987, NONE, 0.9975, 0.9992, 0.9968};
    double[] p90 = {0.9984, 0.9991, NONE, 0.9994, NONE, 0.9998, NONE, 0.9990, 0.9999, 0.9983};
    byte[] png = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> ClassBars.scores(CLASSES, p10, median, p90, 900, 320));
    assertThat(decoded(png).getWidth()).isEqualTo(900);
  }

  @Test
  void drawsTheScoresOfAnIndexWithOneClass() throws Exception {
    double[] only = {NONE, NONE, NONE, NONE, NONE, 0.97, NONE, NONE, NONE, NONE};
    byte[] png = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> ClassBars.scores(CLASSES, only, only, only, 900, 320));
    assertThat(decoded(png).getHeight()).isEqualTo(320);
  }

  @Test
  void drawsTheScoresOfAnIndexWithNoEntryAtAll() throws Exception {
    for (int classes : new int[] {1, 3, 10}) {
      double[] none = new double[classes];
      java.util.Arrays.fill(none, NONE);
      byte[] png = assertTimeoutPreemptively(Duration.ofSeconds(30),
          () -> ClassBars.scores(CLASSES.subList(0, classes), none, none, none, 900, 320), classes + " classes");
      assertThat(decoded(png).getWidth()).isEqualTo(900);
    }
  }

  @Test
  void drawsTheEntriesOfAnIndexWithNoEntryAtAll() throws Exception {
    byte[] png = assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> ClassBars.entries(CLASSES, new int[CLASSES.size()], 900, 320));
    assertThat(decoded(png).getWidth()).isEqualTo(900);
  }

  private static BufferedImage decoded(byte[] png) throws java.io.IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as("a PNG").isNotNull();
    return image;
  }
}
