package dev.semisup.worker.data;

import static dev.semisup.worker.data.DataFiles.idxImages;
import static dev.semisup.worker.data.DataFiles.idxLabels;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.formats.IdxSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledSubsetTest {

  private static final int CLASSES = 4;
  private static final int IMAGES = 200;

  @TempDir
  Path dir;

  private final TestFileBlobs blobs = new TestFileBlobs();
  private final int[] labels = new int[IMAGES];
  private IdxSource source;

  @BeforeEach
  void writeSet() throws IOException {
    for (int i = 0; i < IMAGES; i++) {
      labels[i] = (i * 7 + i / 3) % CLASSES;
    }
    Path images = write(dir.resolve("images"), idxImages(IMAGES, 2, 2));
    Path labelFile = write(dir.resolve("labels"), idxLabels(labels));
    source = new IdxSource(blobs, TestFileBlobs.uri(images), TestFileBlobs.uri(labelFile), new ImageGeometry(1, 2), Long.MAX_VALUE);
  }

  @Test
  void choosesExactlyPerClassSortedOrdinals() throws IOException {
    long[] chosen = LabeledSubset.choose(source, CLASSES, 5, 42);

    assertThat(chosen).hasSize(CLASSES * 5).isSorted().doesNotHaveDuplicates();
    int[] perClass = new int[CLASSES];
    for (long ordinal : chosen) {
      perClass[labels[(int) ordinal]]++;
    }
    assertThat(perClass).containsOnly(5);
  }

  @Test
  void sameSeedSameChoiceOtherSeedOtherChoice() throws IOException {
    long[] first = LabeledSubset.choose(source, CLASSES, 5, 42);

    assertThat(LabeledSubset.choose(source, CLASSES, 5, 42)).isEqualTo(first);
    assertThat(LabeledSubset.choose(source, CLASSES, 5, 43)).isNotEqualTo(first);
  }

  @Test
  void choiceFromLabelsOnlyEqualsChoiceFromDecodedImages() throws IOException {
    // The same source seen only as an ImageSource (no LabelScan) must give the same ordinals.
    ImageSource plain = new ImageSource() {
      @Override
      public ImageStream open(LongPredicate wanted) throws IOException {
        return source.open(wanted);
      }

      @Override
      public String describe() {
        return source.describe();
      }
    };

    assertThat(LabeledSubset.choose(plain, CLASSES, 7, 3)).isEqualTo(LabeledSubset.choose(source, CLASSES, 7, 3));
  }

  @Test
  void choiceIsSpreadOverTheWholeSource() throws IOException {
    // Reservoir sampling, not "the first N": over many seeds some choices come from the last half.
    boolean late = false;
    for (long seed = 0; seed < 10 && !late; seed++) {
      late = Arrays.stream(LabeledSubset.choose(source, CLASSES, 5, seed)).anyMatch(ordinal -> ordinal >= IMAGES / 2);
    }
    assertThat(late).isTrue();
  }

  @Test
  void viewYieldsOnlyTheChosenImagesWithTheirLabels() throws IOException {
    DataSourceSpec spec = new DataSourceSpec();
    spec.setPerClass(3);
    spec.setSeed(9L);
    LabeledSubset subset = LabeledSubset.of(spec, source, CLASSES);

    List<ImageRecord> images = Passes.readAll(subset.images());

    assertThat(Passes.ordinals(images)).containsExactly(Arrays.stream(subset.ordinals()).boxed().toArray(Long[]::new));
    for (ImageRecord image : images) {
      assertThat(image.label()).isEqualTo(labels[(int) image.ordinal()]);
      assertThat(subset.contains(image.ordinal())).isTrue();
    }
    // The view honours a shard predicate on top of the choice.
    List<ImageRecord> even = Passes.readAll(subset.images(), ordinal -> ordinal % 2 == 0);
    assertThat(Passes.ordinals(even)).allMatch(ordinal -> ordinal % 2 == 0 && subset.contains(ordinal));
  }

  @Test
  void withoutPerClassTheWholeSourceIsLabeled() throws IOException {
    DataSourceSpec spec = new DataSourceSpec();
    spec.setLimit(50);
    LabeledSubset whole = LabeledSubset.of(spec, source, CLASSES);

    assertThat(whole.ordinals()).isNull();
    assertThat(whole.contains(49)).isTrue();
    assertThat(whole.contains(50)).isFalse();
    assertThat(Passes.readAll(whole.images())).hasSize(IMAGES);
  }

  @Test
  void classWithTooFewImagesNamesSourceAndPerClass() {
    assertThatThrownBy(() -> LabeledSubset.choose(source, CLASSES, 51, 1))
        .hasMessageMatching(".*images: class \\d has \\d+ images, fewer than perClass 51");
  }

  @Test
  void labelOutsideTheClassesIsAnError() {
    assertThatThrownBy(() -> LabeledSubset.choose(source, 3, 1, 1))
        .hasMessageContaining(source.describe() + ": image #")
        .hasMessageEndingWith("has label 3, outside 0..2 (data.classes is 3)");
  }

  @Test
  void unlabeledImagesCannotBeALabeledSet() throws IOException {
    Path images = write(dir.resolve("pool"), idxImages(3, 2, 2));
    IdxSource pool = new IdxSource(blobs, TestFileBlobs.uri(images), null, new ImageGeometry(1, 2), Long.MAX_VALUE);

    assertThatThrownBy(() -> Passes.readAll(LabeledSubset.of(new DataSourceSpec(), pool, CLASSES).images()))
        .hasMessage(TestFileBlobs.uri(images) + ": image pool#0 has no label");
  }
}
