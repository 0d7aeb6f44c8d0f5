package dev.semisup.worker.data;

import static dev.semisup.worker.data.DataFiles.cifar;
import static dev.semisup.worker.data.DataFiles.cls;
import static dev.semisup.worker.data.DataFiles.encode;
import static dev.semisup.worker.data.DataFiles.gzip;
import static dev.semisup.worker.data.DataFiles.idxImages;
import static dev.semisup.worker.data.DataFiles.idxLabels;
import static dev.semisup.worker.data.DataFiles.rgb;
import static dev.semisup.worker.data.DataFiles.tar;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.DataSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {

  @TempDir
  Path dir;

  private final TestFileBlobs blobs = new TestFileBlobs();

  private static DataSourceSpec spec(String uri, DataFormat format) {
    DataSourceSpec spec = new DataSourceSpec();
    spec.setUri(uri);
    spec.setFormat(format);
    return spec;
  }

  /** A 40-image idx set, labels i % 4, used as labeled (perClass 2), pool (rest) and validation. */
  private DataSpec idxRun() throws IOException {
    int[] labels = new int[40];
    Arrays.setAll(labels, i -> i % 4);
    String images = TestFileBlobs.uri(write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(idxImages(40, 28, 28))));
    String labelFile = TestFileBlobs.uri(write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(idxLabels(labels))));
    DataSpec data = new DataSpec();
    data.setClasses(4);
    DataSourceSpec labeled = spec(images, DataFormat.IDX);
    labeled.setLabelsUri(labelFile);
    labeled.setPerClass(2);
    labeled.setSeed(11L);
    DataSourceSpec pool = spec(images, DataFormat.IDX);
    pool.setLabelsUri(labelFile);
    pool.setExcludeLabeled(true);
    DataSourceSpec validation = spec(images, DataFormat.IDX);
    validation.setLabelsUri(labelFile);
    validation.setLimit(10);
    data.setLabeled(labeled);
    data.setUnlabeled(pool);
    data.setValidation(validation);
    return data;
  }

  @Test
  void labeledPoolAndValidationOfOneIdxSet() throws IOException {
    DataSpec data = idxRun();

    LabeledSubset labeled = DataSources.labeled(data, blobs);
    List<ImageRecord> labeledImages = Passes.readAll(labeled.images());
    List<ImageRecord> pool = Passes.readAll(DataSources.pool(data, blobs));
    List<ImageRecord> validation = Passes.readAll(DataSources.validation(data, blobs));

    assertThat(labeledImages).hasSize(8);
    assertThat(labeledImages).extracting(ImageRecord::label).containsOnly(0, 1, 2, 3);
    assertThat(labeledImages).allMatch(image -> image.label() == image.ordinal() % 4);
    long[] chosen = labeled.ordinals();
    assertThat(Passes.ordinals(pool)).containsExactlyElementsOf(
        LongStream.range(0, 40).filter(o -> Arrays.binarySearch(chosen, o) < 0).boxed().toList());
    assertThat(pool).extracting(ImageRecord::label).containsOnly(ImageRecord.UNLABELED);
    assertThat(Passes.ordinals(validation)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    // idx defaults: 1 x 28 x 28.
    assertThat(validation.get(0).channels()).isEqualTo(1);
    assertThat(validation.get(0).height()).isEqualTo(28);
  }

  @Test
  void rawOpenKeepsThePoolsHiddenLabels() throws IOException {
    DataSpec data = idxRun();

    List<ImageRecord> raw = Passes.readAll(DataSources.open(data.getUnlabeled(), data, blobs, true));

    assertThat(raw).hasSize(40).allMatch(image -> image.label() == image.ordinal() % 4);
  }

  @Test
  void poolExcludingLabeledNeedsTheSameUri() throws IOException {
    DataSpec data = idxRun();
    data.getUnlabeled().setUri(data.getUnlabeled().getUri() + "-other");

    assertThatThrownBy(() -> DataSources.pool(data, blobs))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("data.unlabeled.excludeLabeled: needs the uri and format of data.labeled");
  }

  @Test
  void everyFormatOpensAtTheRunGeometry() throws IOException {
    DataSpec data = new DataSpec();
    data.setClasses(10);
    data.setImageSize(16);
    data.setChannels(3);
    Path cifarFile = write(dir.resolve("cifar/data_batch_1.bin"), cifar(0, false, 1, 2, 3));
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("a.png", encode(rgb(0, 20, 30), "png"));
    members.put("a.cls", cls(4));
    Path shard = tar(dir.resolve("shards/shard-0.tar"), members);
    write(dir.resolve("folder/cat/a.png"), encode(rgb(0, 8, 8), "png"));
    Path idx = write(dir.resolve("idx"), idxImages(2, 28, 28));

    List<DataSourceSpec> specs = List.of(
        spec(TestFileBlobs.uri(cifarFile), DataFormat.CIFAR),
        spec(TestFileBlobs.uri(shard.getParent()), DataFormat.TAR),
        spec(TestFileBlobs.uri(dir.resolve("folder")), DataFormat.FOLDER),
        spec(TestFileBlobs.uri(idx), DataFormat.IDX));
    for (DataSourceSpec source : specs) {
      List<ImageRecord> images = Passes.readAll(DataSources.open(source, data, blobs, false));
      assertThat(images).isNotEmpty().allSatisfy(image -> {
        assertThat(image.channels()).isEqualTo(3);
        assertThat(image.height()).isEqualTo(16);
        assertThat(image.width()).isEqualTo(16);
      });
    }
  }

  @Test
  void limitAppliesToEveryFormat() throws IOException {
    DataSpec data = new DataSpec();
    data.setClasses(10);
    DataSourceSpec source = spec(TestFileBlobs.uri(write(dir.resolve("c.bin"), cifar(0, false, 1, 2, 3))), DataFormat.CIFAR);
    source.setLimit(2);

    assertThat(Passes.readAll(DataSources.open(source, data, blobs, false))).hasSize(2);
  }
}
