package dev.semisup.worker.data;

import static dev.semisup.worker.data.DataFiles.idxImages;
import static dev.semisup.worker.data.DataFiles.idxLabels;
import static dev.semisup.worker.data.DataFiles.pixels;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.formats.IdxSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnlabeledPoolTest {

  @TempDir
  Path dir;

  private final TestFileBlobs blobs = new TestFileBlobs();

  @Test
  void excludesExactlyTheLabeledOrdinalsAndCarriesNoLabels() throws IOException {
    int count = 60;
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % 3;
    }
    Path images = write(dir.resolve("images"), idxImages(count, 2, 2));
    Path labelFile = write(dir.resolve("labels"), idxLabels(labels));
    IdxSource raw = new IdxSource(blobs, TestFileBlobs.uri(images), TestFileBlobs.uri(labelFile), new ImageGeometry(1, 2), Long.MAX_VALUE);
    long[] labeled = LabeledSubset.choose(raw, 3, 4, 5);

    UnlabeledPool pool = new UnlabeledPool(raw, ordinal -> Arrays.binarySearch(labeled, ordinal) >= 0);
    List<ImageRecord> rest = Passes.readAll(pool);

    List<Long> expected = LongStream.range(0, count).filter(o -> Arrays.binarySearch(labeled, o) < 0).boxed().toList();
    assertThat(Passes.ordinals(rest)).containsExactlyElementsOf(expected);
    assertThat(rest).extracting(ImageRecord::label).containsOnly(ImageRecord.UNLABELED);
    for (ImageRecord image : rest) {
      assertThat(image.pixels()).isEqualTo(pixels((int) image.ordinal(), 4));
    }
    // The raw source still has the hidden labels for evaluation.
    assertThat(Passes.readAll(raw).get(5).label()).isEqualTo(2);
  }

  @Test
  void shardsOfThePoolPartitionIt() throws IOException {
    Path images = write(dir.resolve("images"), idxImages(20, 2, 2));
    IdxSource raw = new IdxSource(blobs, TestFileBlobs.uri(images), null, new ImageGeometry(1, 2), Long.MAX_VALUE);
    UnlabeledPool pool = new UnlabeledPool(raw, ordinal -> ordinal < 5);

    List<Long> all = new ArrayList<>();
    for (int shard = 0; shard < 4; shard++) {
      int index = shard;
      List<Long> part = Passes.ordinals(Passes.readAll(pool, ordinal -> ordinal % 4 == index));
      assertThat(part).allMatch(ordinal -> ordinal % 4 == index);
      all.addAll(part);
    }
    assertThat(all).containsExactlyInAnyOrderElementsOf(LongStream.range(5, 20).boxed().toList());
  }
}
