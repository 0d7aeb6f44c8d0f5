package dev.semisup.worker.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.DataSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real files the Fashion-MNIST demo reads, where this machine has them. */
class FashionMnistTest {

  private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

  private final TestFileBlobs blobs = new TestFileBlobs();
  private DataSpec data;

  @BeforeEach
  void requireTheFiles() {
    for (String name : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
      Assumptions.assumeTrue(Files.isReadable(DIR.resolve(name)), "no Fashion-MNIST file " + DIR.resolve(name));
    }
    data = new DataSpec();
    data.setClasses(10);
    data.setLabeled(source("train", 10));
    data.setUnlabeled(source("train", null));
    data.getUnlabeled().setExcludeLabeled(true);
    data.setValidation(source("t10k", null));
  }

  private static DataSourceSpec source(String prefix, Integer perClass) {
    DataSourceSpec source = new DataSourceSpec();
    source.setFormat(DataFormat.IDX);
    source.setUri(TestFileBlobs.uri(DIR.resolve(prefix + "-images-idx3-ubyte.gz")));
    source.setLabelsUri(TestFileBlobs.uri(DIR.resolve(prefix + "-labels-idx1-ubyte.gz")));
    source.setPerClass(perClass);
    return source;
  }

  @Test
  void trainHasSixThousandImagesPerClassAndTestOneThousand() throws IOException {
    assertThat(countPerClass(DataSources.open(data.getLabeled(), data, blobs, false))).containsOnly(6000);
    assertThat(countPerClass(DataSources.validation(data, blobs))).containsOnly(1000);
  }

  @Test
  void labeledSubsetAndPoolSplitTheTrainingSet() throws IOException {
    LabeledSubset labeled = DataSources.labeled(data, blobs);
    assertThat(countPerClass(labeled.images())).containsOnly(10);

    long pool = 0;
    try (ImageStream stream = DataSources.pool(data, blobs).open()) {
      ImageRecord image;
      while ((image = stream.next()) != null) {
        assertThat(labeled.contains(image.ordinal())).isFalse();
        pool++;
      }
    }
    assertThat(pool).isEqualTo(60000 - 100);
  }

  private static int[] countPerClass(ImageSource source) throws IOException {
    int[] counts = new int[10];
    try (ImageStream stream = source.open()) {
      ImageRecord image;
      while ((image = stream.next()) != null) {
        assertThat(image.channels() * image.height() * image.width()).isEqualTo(28 * 28);
        counts[image.label()]++;
      }
    }
    return counts;
  }
}
