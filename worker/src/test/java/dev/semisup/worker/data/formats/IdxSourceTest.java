package dev.semisup.worker.data.formats;

import static dev.semisup.worker.data.DataFiles.gzip;
import static dev.semisup.worker.data.DataFiles.idxImages;
import static dev.semisup.worker.data.DataFiles.idxLabels;
import static dev.semisup.worker.data.DataFiles.pixels;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.Passes;
import dev.semisup.worker.data.TestFileBlobs;
import dev.semisup.worker.data.decode.ImageGeometry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxSourceTest {

  private static final ImageGeometry MNIST = new ImageGeometry(1, 4);

  @TempDir
  Path dir;

  private final TestFileBlobs blobs = new TestFileBlobs();

  private IdxSource source(Path images, Path labels) {
    return new IdxSource(blobs, TestFileBlobs.uri(images), labels == null ? null : TestFileBlobs.uri(labels), MNIST, Long.MAX_VALUE);
  }

  @Test
  void readsGzipAndPlainFilesAlike() throws IOException {
    Path plainImages = write(dir.resolve("plain-images"), idxImages(5, 4, 4));
    Path plainLabels = write(dir.resolve("plain-labels"), idxLabels(3, 1, 4, 1, 5));
    // Named without .gz: the gzip magic, not the name, decides.
    Path gzImages = write(dir.resolve("gz-images"), gzip(idxImages(5, 4, 4)));
    Path gzLabels = write(dir.resolve("gz-labels"), gzip(idxLabels(3, 1, 4, 1, 5)));

    for (IdxSource source : List.of(source(plainImages, plainLabels), source(gzImages, gzLabels))) {
      List<ImageRecord> images = Passes.readAll(source);

      assertThat(images).hasSize(5);
      assertThat(images).extracting(ImageRecord::label).containsExactly(3, 1, 4, 1, 5);
      assertThat(Passes.ordinals(images)).containsExactly(0L, 1L, 2L, 3L, 4L);
      String name = source.describe().substring(source.describe().lastIndexOf('/') + 1);
      assertThat(images.get(2).key()).isEqualTo(name + "#2");
      for (ImageRecord image : images) {
        assertThat(image.channels()).isEqualTo(1);
        assertThat(image.height()).isEqualTo(4);
        assertThat(image.width()).isEqualTo(4);
        assertThat(image.pixels()).isEqualTo(pixels((int) image.ordinal(), 16));
      }
    }
  }

  @Test
  void withoutLabelsFileImagesAreUnlabeled() throws IOException {
    Path images = write(dir.resolve("images"), idxImages(3, 4, 4));

    assertThat(Passes.readAll(source(images, null))).extracting(ImageRecord::label)
        .containsOnly(ImageRecord.UNLABELED).hasSize(3);
  }

  @Test
  void shardPredicateYieldsExactlyItsOrdinalsWithMatchingLabels() throws IOException {
    int[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
    Path images = write(dir.resolve("images.gz"), gzip(idxImages(11, 4, 4)));
    Path labelsFile = write(dir.resolve("labels.gz"), gzip(idxLabels(labels)));
    int shards = 3;

    List<Long> seen = new ArrayList<>();
    for (int shard = 0; shard < shards; shard++) {
      int index = shard;
      List<ImageRecord> part = Passes.readAll(source(images, labelsFile), ordinal -> ordinal % shards == index);
      for (ImageRecord image : part) {
        assertThat(image.ordinal() % shards).isEqualTo(index);
        assertThat(image.label()).isEqualTo(labels[(int) image.ordinal()]);
        assertThat(image.pixels()).isEqualTo(pixels((int) image.ordinal(), 16));
      }
      seen.addAll(Passes.ordinals(part));
    }
    assertThat(seen).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
  }

  @Test
  void limitReadsOnlyTheFirstImages() throws IOException {
    Path images = write(dir.resolve("images"), idxImages(6, 4, 4));
    Path labels = write(dir.resolve("labels"), idxLabels(0, 1, 2, 3, 4, 5));
    IdxSource limited = new IdxSource(blobs, TestFileBlobs.uri(images), TestFileBlobs.uri(labels), MNIST, 2);

    assertThat(Passes.ordinals(Passes.readAll(limited))).containsExactly(0L, 1L);
    List<Integer> scanned = new ArrayList<>();
    limited.scanLabels((ordinal, label) -> scanned.add(label));
    assertThat(scanned).containsExactly(0, 1);
  }

  @Test
  void truncatedImagesFileNamesFileAndOffset() throws IOException {
    byte[] whole = idxImages(3, 4, 4);
    Path images = write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(whole, 16 + 16 + 5));
    String uri = TestFileBlobs.uri(images);

    assertThatThrownBy(() -> Passes.readAll(source(images, null)))
        .isInstanceOf(IOException.class)
        .hasMessage(uri + ": truncated at offset 37: expected 3 images of 4x4");
  }

  @Test
  void truncatedGzipNamesFileAndUncompressedOffset() throws IOException {
    byte[] compressed = gzip(idxImages(50, 4, 4));
    Path images = write(dir.resolve("images.gz"), Arrays.copyOf(compressed, compressed.length / 2));

    assertThatThrownBy(() -> Passes.readAll(source(images, null)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(TestFileBlobs.uri(images) + ": truncated at offset ")
        .hasMessageContaining("(uncompressed): expected 50 images of 4x4");
  }

  @Test
  void skippingPastTheEndIsTruncationToo() throws IOException {
    Path images = write(dir.resolve("images"), Arrays.copyOf(idxImages(3, 4, 4), 16 + 16 + 5));

    assertThatThrownBy(() -> Passes.readAll(source(images, null), ordinal -> ordinal == 2))
        .hasMessageContaining(TestFileBlobs.uri(images) + ": truncated at offset 37");
  }

  @Test
  void truncationAmongUnwantedImagesIsFoundEvenWhereSkipLies() throws IOException {
    Path images = write(dir.resolve("images"), Arrays.copyOf(idxImages(3, 4, 4), 16 + 16 + 5));
    // Like FileInputStream, a store stream may "skip" past its end without complaint.
    TestFileBlobs lyingSkip = new TestFileBlobs() {
      @Override
      public InputStream open(String uri) throws IOException {
        return new FilterInputStream(super.open(uri)) {
          @Override
          public long skip(long n) {
            return n;
          }
        };
      }
    };
    IdxSource source = new IdxSource(lyingSkip, TestFileBlobs.uri(images), null, MNIST, Long.MAX_VALUE);

    assertThatThrownBy(() -> Passes.readAll(source, ordinal -> ordinal == 0))
        .hasMessage(TestFileBlobs.uri(images) + ": truncated at offset 37: expected 3 images of 4x4");
  }

  @Test
  void wrongMagicNamesTheFile() throws IOException {
    Path labels = write(dir.resolve("labels"), idxLabels(1, 2));
    // A labels file given as the images file.
    assertThatThrownBy(() -> Passes.readAll(source(labels, null)))
        .hasMessage(TestFileBlobs.uri(labels) + ": magic 0x00000801 is not an IDX images file (0x00000803) at offset 0");
  }

  @Test
  void labelCountMustMatchImageCount() throws IOException {
    Path images = write(dir.resolve("images"), idxImages(3, 4, 4));
    Path labels = write(dir.resolve("labels"), idxLabels(1, 2));

    assertThatThrownBy(() -> Passes.readAll(source(images, labels)))
        .hasMessage(TestFileBlobs.uri(labels) + ": 2 labels for 3 images in " + TestFileBlobs.uri(images));
  }

  @Test
  void zeroDimensionIsRejectedWithOffset() throws IOException {
    byte[] bytes = idxImages(1, 4, 4);
    bytes[11] = 0; // rows = 0
    Path images = write(dir.resolve("images"), bytes);

    assertThatThrownBy(() -> Passes.readAll(source(images, null)))
        .hasMessage(TestFileBlobs.uri(images) + ": dimension 0 is not a positive size at offset 8");
  }

  @Test
  void imagesAreDeliveredAtTheRunGeometry() throws IOException {
    Path images = write(dir.resolve("images"), idxImages(1, 4, 4));
    IdxSource rgb8 = new IdxSource(blobs, TestFileBlobs.uri(images), null, new ImageGeometry(3, 8), Long.MAX_VALUE);

    ImageRecord image = Passes.readAll(rgb8).get(0);

    assertThat(image.channels()).isEqualTo(3);
    assertThat(image.height()).isEqualTo(8);
    assertThat(image.width()).isEqualTo(8);
  }
}
