package dev.semisup.worker.stages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.v1alpha1.TrainingSpec;
import dev.semisup.worker.data.formats.IdxSource;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.TrainingExample;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.testing.TinyDataset;
import dev.semisup.worker.train.Examples;
import dev.semisup.worker.train.ShuffledShards;
import dev.semisup.worker.train.TrainingSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The labeled set is held in memory when it fits the spec's cache budget, and streamed when it does not. */
class LabeledExamplesTest {

  @TempDir
  Path dir;

  IdxSource labeled() throws IOException {
    Path data = TinyDataset.writeTo(dir);
    return new IdxSource(new FileBlobs(), data.resolve(TinyDataset.TRAIN_IMAGES).toUri().toString(),
        data.resolve(TinyDataset.TRAIN_LABELS).toUri().toString(), new ImageGeometry(1, 8), Long.MAX_VALUE);
  }

  static List<Long> ordinals(TrainingSet set, int epoch) throws IOException {
    List<Long> ordinals = new ArrayList<>();
    try (TrainingSet.Pass pass = set.epoch(1, epoch, 0)) {
      for (TrainingExample example = pass.next(); example != null; example = pass.next()) {
        ordinals.add(example.image().ordinal());
      }
    }
    return ordinals;
  }

  @Test
  void aSetWithinTheBudgetIsHeldInMemoryAndShuffledFully() throws IOException {
    TrainingSet set = LabeledExamples.read(labeled(), TinyDataset.CLASSES, new TrainingSpec());
    assertThat(set).isInstanceOf(Examples.class);
    assertThat(set.examplesPerEpoch()).isEqualTo(300);
    List<Long> first = ordinals(set, 0);
    assertThat(first).hasSize(300).doesNotHaveDuplicates().isNotEqualTo(first.stream().sorted().toList());
  }

  @Test
  void aSetOverTheBudgetStreamsThroughTheShuffleBuffer() throws IOException {
    TrainingSpec training = new TrainingSpec();
    training.setCacheLimitMiB(0);
    training.setShuffleBuffer(50);
    TrainingSet set = LabeledExamples.read(labeled(), TinyDataset.CLASSES, training);
    assertThat(set).isInstanceOf(ShuffledShards.class);
    assertThat(((ShuffledShards) set).bufferSize()).isEqualTo(50);
    assertThat(set.examplesPerEpoch()).isEqualTo(300);
    List<Long> first = ordinals(set, 0);
    assertThat(first).hasSize(300).doesNotHaveDuplicates().isNotEqualTo(first.stream().sorted().toList());
    assertThat(ordinals(set, 0)).isEqualTo(first);
    assertThat(ordinals(set, 1)).isNotEqualTo(first);
  }
}
