package dev.semisup.worker.data.formats;

import static dev.semisup.worker.data.DataFiles.encode;
import static dev.semisup.worker.data.DataFiles.grey;
import static dev.semisup.worker.data.DataFiles.pixels;
import static dev.semisup.worker.data.DataFiles.rgb;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.Passes;
import dev.semisup.worker.data.TestFileBlobs;
import dev.semisup.worker.data.decode.ImageGeometry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderSourceTest {

  private static final ImageGeometry RGB8 = new ImageGeometry(3, 8);

  @TempDir
  Path dir;

  private final TestFileBlobs blobs = new TestFileBlobs();

  private FolderSource source(Path folder, boolean skipCorrupt) {
    return new FolderSource(blobs, TestFileBlobs.uri(folder), true, skipCorrupt, RGB8, Long.MAX_VALUE);
  }

  @Test
  void classFoldersInSortedOrderAreTheLabelsReadOneClassAfterTheOther() throws IOException {
    write(dir.resolve("set/dog/b.png"), encode(rgb(2, 8, 8), "png"));
    write(dir.resolve("set/cat/z.png"), encode(rgb(1, 8, 8), "png"));
    write(dir.resolve("set/cat/a.png"), encode(rgb(0, 8, 8), "png"));
    write(dir.resolve("set/dog/nested/c.PNG"), encode(rgb(3, 8, 8), "png"));
    write(dir.resolve("set/dog/notes.txt"), new byte[] {1});
    FolderSource source = source(dir.resolve("set"), false);

    List<ImageRecord> images = Passes.readAll(source);

    assertThat(source.classNames()).containsExactly("cat", "dog");
    String base = TestFileBlobs.uri(dir.resolve("set"));
    assertThat(images).extracting(ImageRecord::key).as("an image's key is its file's URI")
        .containsExactlyInAnyOrder(base + "cat/a.png", base + "cat/z.png", base + "dog/b.png", base + "dog/nested/c.PNG");
    assertThat(images).extracting(ImageRecord::label).as("a cat, a dog, a cat, a dog").containsExactly(0, 1, 0, 1);
    assertThat(Passes.ordinals(images)).containsExactly(0L, 1L, 2L, 3L);
    Map<String, Integer> written = Map.of(base + "cat/a.png", 0, base + "cat/z.png", 1, base + "dog/b.png", 2,
        base + "dog/nested/c.PNG", 3);
    for (ImageRecord image : images) {
      // PNG is lossless and the geometry matches: exact pixels.
      assertThat(image.pixels()).isEqualTo(pixels(written.get(image.key()), 3 * 64));
    }
    assertThat(Passes.readAll(source(dir.resolve("set"), false))).extracting(ImageRecord::key)
        .as("the same order every pass").isEqualTo(images.stream().map(ImageRecord::key).toList());
  }

  @Test
  void limitTakesAClassBalancedSampleNotTheFirstSortedPaths() throws IOException {
    for (int c = 0; c < 10; c++) {
      for (int i = 0; i < 20; i++) {
        write(dir.resolve("set/class-" + c + "/" + String.format("%03d", i) + ".png"), encode(rgb(i, 8, 8), "png"));
      }
    }
    String uri = TestFileBlobs.uri(dir.resolve("set"));

    List<ImageRecord> thirty = Passes.readAll(new FolderSource(blobs, uri, true, false, RGB8, 30));
    List<ImageRecord> fifty = Passes.readAll(new FolderSource(blobs, uri, true, false, RGB8, 50));

    Map<Integer, Long> perClass = thirty.stream().collect(Collectors.groupingBy(ImageRecord::label, Collectors.counting()));
    assertThat(perClass).hasSize(10).allSatisfy((label, count) -> assertThat(count).isEqualTo(3));
    assertThat(thirty.stream().map(ImageRecord::key).filter(key -> key.startsWith(uri + "class-0/")).sorted().toList())
        .as("a seeded shuffle within the class, not its first three sorted paths")
        .hasSize(3).isNotEqualTo(List.of(uri + "class-0/000.png", uri + "class-0/001.png", uri + "class-0/002.png"));
    assertThat(fifty.subList(0, 30)).extracting(ImageRecord::key).as("a larger limit keeps the smaller one's images")
        .isEqualTo(thirty.stream().map(ImageRecord::key).toList());
  }

  @Test
  void aValidationFolderMissingAClassOfTheLabeledSetIsAnErrorNamingIt() throws IOException {
    for (String name : List.of("bag", "coat", "shirt")) {
      write(dir.resolve("train/" + name + "/0.png"), encode(rgb(0, 8, 8), "png"));
    }
    write(dir.resolve("val/bag/0.png"), encode(rgb(0, 8, 8), "png"));
    write(dir.resolve("val/shirt/0.png"), encode(rgb(0, 8, 8), "png"));
    write(dir.resolve("val/shoe/0.png"), encode(rgb(0, 8, 8), "png"));
    FolderSource labeled = new FolderSource(blobs, TestFileBlobs.uri(dir.resolve("train")), true, false, RGB8,
        Long.MAX_VALUE, FolderSource.ClassFolders.count("spec.data.labeled.uri", 3));
    FolderSource validation = new FolderSource(blobs, TestFileBlobs.uri(dir.resolve("val")), true, false, RGB8,
        Long.MAX_VALUE, FolderSource.ClassFolders.of("spec.data.validation.uri", labeled));

    assertThatThrownBy(() -> Passes.readAll(validation))
        .isInstanceOf(BadDataException.class)
        .hasMessageStartingWith("spec.data.validation.uri: " + TestFileBlobs.uri(dir.resolve("val"))
            + " lacks class folder 'coat' and has class folder 'shoe' not in the labeled set");
  }

  @Test
  void aLabeledFolderWithMoreClassFoldersThanDataClassesIsAnError() throws IOException {
    for (String name : List.of("bag", "coat", "shirt")) {
      write(dir.resolve("train/" + name + "/0.png"), encode(rgb(0, 8, 8), "png"));
    }
    FolderSource labeled = new FolderSource(blobs, TestFileBlobs.uri(dir.resolve("train")), true, false, RGB8,
        Long.MAX_VALUE, FolderSource.ClassFolders.count("spec.data.labeled.uri", 2));

    assertThatThrownBy(labeled::classNames)
        .isInstanceOf(BadDataException.class)
        .hasMessageContaining("has 3 class folders 'bag', 'coat', 'shirt', but data.classes is 2");
  }

  @Test
  void imagesAtTheTopMakeAnUnlabeledPool() throws IOException {
    write(dir.resolve("pool/0001.png"), encode(rgb(0, 8, 8), "png"));
    write(dir.resolve("pool/more/0002.png"), encode(rgb(1, 8, 8), "png"));

    FolderSource pool = source(dir.resolve("pool"), true);

    assertThat(pool.classNames()).isEmpty();
    assertThat(Passes.readAll(pool)).extracting(ImageRecord::label).containsExactly(ImageRecord.UNLABELED, ImageRecord.UNLABELED);
  }

  @Test
  void greyPngIsConvertedToRgbAndJpegDecodes() throws IOException {
    write(dir.resolve("set/a/grey.png"), encode(grey(5, 8, 8), "png"));
    write(dir.resolve("set/b/photo.jpg"), encode(rgb(6, 8, 8), "jpg"));

    List<ImageRecord> images = Passes.readAll(source(dir.resolve("set"), false));

    byte[] grey = pixels(5, 64);
    byte[] expected = new byte[3 * 64];
    for (int c = 0; c < 3; c++) {
      System.arraycopy(grey, 0, expected, c * 64, 64);
    }
    assertThat(images.get(0).pixels()).isEqualTo(expected);
    assertThat(images.get(1).channels()).isEqualTo(3);
    assertThat(images.get(1).label()).isEqualTo(1);
  }

  @Test
  void largerImagesAreResizedToTheRunSize() throws IOException {
    write(dir.resolve("set/a/big.png"), encode(rgb(0, 16, 24), "png"));

    ImageRecord image = Passes.readAll(source(dir.resolve("set"), false)).get(0);

    assertThat(image.height()).isEqualTo(8);
    assertThat(image.width()).isEqualTo(8);
  }

  @Test
  void shardPredicateSkipsWithoutReadingOthers() throws IOException {
    for (int i = 0; i < 7; i++) {
      write(dir.resolve("pool/" + i + ".png"), encode(rgb(i, 8, 8), "png"));
    }
    // An unwanted corrupt file is never decoded, so it cannot fail the pass.
    write(dir.resolve("pool/1.png"), new byte[] {1, 2, 3});

    List<ImageRecord> images = Passes.readAll(source(dir.resolve("pool"), false), ordinal -> ordinal % 3 == 0);

    assertThat(Passes.ordinals(images)).containsExactly(0L, 3L, 6L);
    assertThat(images.get(1).pixels()).isEqualTo(pixels(3, 3 * 64));
  }

  @Test
  void corruptImageInAPoolIsSkippedAndCounted() throws IOException {
    write(dir.resolve("pool/0.png"), encode(rgb(0, 8, 8), "png"));
    write(dir.resolve("pool/1.png"), "not an image".getBytes());
    byte[] png = encode(rgb(2, 8, 8), "png");
    write(dir.resolve("pool/2.png"), Arrays.copyOf(png, png.length / 2));
    write(dir.resolve("pool/3.png"), encode(rgb(3, 8, 8), "png"));
    FolderSource pool = source(dir.resolve("pool"), true);

    assertThat(Passes.ordinals(Passes.readAll(pool))).containsExactly(0L, 3L);
    assertThat(Passes.skipped(pool)).isEqualTo(2);
  }

  @Test
  void corruptImageInALabeledSetIsAnErrorNamingIt() throws IOException {
    write(dir.resolve("set/a/0.png"), encode(rgb(0, 8, 8), "png"));
    Path broken = write(dir.resolve("set/b/1.jpg"), "not an image".getBytes());

    assertThatThrownBy(() -> Passes.readAll(source(dir.resolve("set"), false)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(TestFileBlobs.uri(broken) + ": corrupt image: ");
  }

  @Test
  void truncatedJpegIsCorruptNotHalfGrey() throws IOException {
    byte[] jpeg = encode(rgb(0, 64, 64), "jpg");
    Path broken = write(dir.resolve("set/a/cut.jpg"), Arrays.copyOf(jpeg, jpeg.length * 2 / 3));

    assertThatThrownBy(() -> Passes.readAll(source(dir.resolve("set"), false)))
        .hasMessageStartingWith(TestFileBlobs.uri(broken) + ": corrupt image: ");
  }

  @Test
  void limitKeepsTheClassNumbering() throws IOException {
    write(dir.resolve("set/a/0.png"), encode(rgb(0, 8, 8), "png"));
    write(dir.resolve("set/b/1.png"), encode(rgb(1, 8, 8), "png"));
    write(dir.resolve("set/c/2.png"), encode(rgb(2, 8, 8), "png"));
    FolderSource limited = new FolderSource(blobs, TestFileBlobs.uri(dir.resolve("set")), true, false, RGB8, 2);

    assertThat(Passes.readAll(limited)).extracting(ImageRecord::label).containsExactly(0, 1);
    assertThat(limited.classNames()).containsExactly("a", "b", "c");
  }

  @Test
  void emptyFolderIsAnErrorNamingIt() throws IOException {
    write(dir.resolve("empty/readme.txt"), new byte[] {1});

    assertThatThrownBy(() -> Passes.readAll(source(dir.resolve("empty"), true)))
        .hasMessage(TestFileBlobs.uri(dir.resolve("empty")) + ": no .jpg, .jpeg or .png images in this folder");
  }
}
