package dev.semisup.worker.data.formats;

import static dev.semisup.worker.data.DataFiles.cifar;
import static dev.semisup.worker.data.DataFiles.pixels;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.Passes;
import dev.semisup.worker.data.TestFileBlobs;
import dev.semisup.worker.data.decode.ImageGeometry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarSourceTest {

  private static final ImageGeometry CIFAR = new ImageGeometry(3, 32);

  @TempDir
  Path dir;

  private final TestFileBlobs blobs = new TestFileBlobs();

  private CifarSource source(Path path, int classes) {
    return new CifarSource(blobs, TestFileBlobs.uri(path), classes, true, CIFAR, Long.MAX_VALUE);
  }

  @Test
  void readsCifar10Records() throws IOException {
    Path file = write(dir.resolve("data_batch_1.bin"), cifar(0, false, 6, 9, 0));

    List<ImageRecord> images = Passes.readAll(source(file, 10));

    assertThat(images).extracting(ImageRecord::label).containsExactly(6, 9, 0);
    assertThat(images).extracting(ImageRecord::key)
        .containsExactly("data_batch_1.bin#0", "data_batch_1.bin#1", "data_batch_1.bin#2");
    for (ImageRecord image : images) {
      assertThat(image.channels()).isEqualTo(3);
      assertThat(image.height()).isEqualTo(32);
      assertThat(image.pixels()).isEqualTo(pixels((int) image.ordinal(), 3072));
    }
  }

  @Test
  void cifar100UsesTheFineLabel() throws IOException {
    Path file = write(dir.resolve("train.bin"), cifar(0, true, 42, 7, 99));

    List<ImageRecord> images = Passes.readAll(source(file, 100));

    assertThat(images).extracting(ImageRecord::label).containsExactly(42, 7, 99);
    assertThat(images.get(1).pixels()).isEqualTo(pixels(1, 3072));
  }

  @Test
  void folderReadsBinFilesInSortedOrderWithRunningOrdinals() throws IOException {
    write(dir.resolve("cifar/data_batch_2.bin"), cifar(2, false, 3, 4));
    write(dir.resolve("cifar/data_batch_1.bin"), cifar(0, false, 1, 2));
    write(dir.resolve("cifar/readme.html"), new byte[] {1, 2, 3});

    List<ImageRecord> images = Passes.readAll(source(dir.resolve("cifar"), 10));

    assertThat(Passes.ordinals(images)).containsExactly(0L, 1L, 2L, 3L);
    assertThat(images).extracting(ImageRecord::label).containsExactly(1, 2, 3, 4);
    assertThat(images.get(2).key()).isEqualTo("data_batch_2.bin#0");
    for (ImageRecord image : images) {
      assertThat(image.pixels()).isEqualTo(pixels((int) image.ordinal(), 3072));
    }
  }

  @Test
  void shardPredicateAndLabelScanAgreeWithAFullPass() throws IOException {
    int[] labels = {0, 1, 2, 3, 4, 5, 6, 7};
    write(dir.resolve("cifar/a.bin"), cifar(0, false, 0, 1, 2));
    write(dir.resolve("cifar/b.bin"), cifar(3, false, 3, 4, 5, 6, 7));
    CifarSource source = source(dir.resolve("cifar"), 10);

    List<ImageRecord> odd = Passes.readAll(source, ordinal -> ordinal % 2 == 1);
    assertThat(Passes.ordinals(odd)).containsExactly(1L, 3L, 5L, 7L);
    for (ImageRecord image : odd) {
      assertThat(image.label()).isEqualTo(labels[(int) image.ordinal()]);
      assertThat(image.pixels()).isEqualTo(pixels((int) image.ordinal(), 3072));
    }
    List<long[]> scanned = new ArrayList<>();
    source.scanLabels((ordinal, label) -> scanned.add(new long[] {ordinal, label}));
    assertThat(scanned).extracting(pair -> pair[0]).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(scanned).extracting(pair -> pair[1]).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
  }

  @Test
  void limitStopsAcrossFiles() throws IOException {
    write(dir.resolve("cifar/a.bin"), cifar(0, false, 0, 1));
    write(dir.resolve("cifar/b.bin"), cifar(2, false, 2, 3));
    CifarSource limited = new CifarSource(blobs, TestFileBlobs.uri(dir.resolve("cifar")), 10, true, CIFAR, 3);

    assertThat(Passes.ordinals(Passes.readAll(limited))).containsExactly(0L, 1L, 2L);
  }

  @Test
  void truncatedRecordNamesFileAndOffset() throws IOException {
    byte[] whole = cifar(0, false, 1, 2);
    Path file = write(dir.resolve("data_batch_1.bin"), Arrays.copyOf(whole, 3073 + 100));

    assertThatThrownBy(() -> Passes.readAll(source(file, 10)))
        .isInstanceOf(IOException.class)
        .hasMessage(TestFileBlobs.uri(file) + ": truncated at offset 3173: expected CIFAR-10 records of 3073 bytes");
    assertThatThrownBy(() -> source(file, 10).scanLabels((ordinal, label) -> { }))
        .hasMessageContaining(": truncated at offset 3173");
  }

  @Test
  void labelOutsideTheClassesIsAFormatError() throws IOException {
    // A CIFAR-100 file read as CIFAR-10: the second record's first byte is a pixel.
    Path file = write(dir.resolve("train.bin"), cifar(0, true, 42, 43));

    assertThatThrownBy(() -> Passes.readAll(source(file, 10)))
        .hasMessage(TestFileBlobs.uri(file) + ": label 57 is not a CIFAR-10 class (0..9) at offset 0");
  }

  @Test
  void onlyTenOrHundredClasses() {
    assertThatThrownBy(() -> source(dir.resolve("x.bin"), 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("data.classes: cifar data has 10 or 100 classes, not 20");
  }

  @Test
  void poolSourceCarriesNoLabels() throws IOException {
    Path file = write(dir.resolve("a.bin"), cifar(0, false, 5, 6));
    CifarSource pool = new CifarSource(blobs, TestFileBlobs.uri(file), 10, false, CIFAR, Long.MAX_VALUE);

    assertThat(Passes.readAll(pool)).extracting(ImageRecord::label).containsOnly(ImageRecord.UNLABELED);
  }
}
