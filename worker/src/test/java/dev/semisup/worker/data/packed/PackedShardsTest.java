package dev.semisup.worker.data.packed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ExampleShard;
import dev.semisup.worker.data.TrainingExample;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.testing.PackedTars;
import dev.semisup.worker.train.ShuffledShards;
import dev.semisup.worker.train.TrainingSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The student's reader of the pack step's tar shards, against shards written in the contract's format. */
class PackedShardsTest {

  private static final ImageGeometry GREY8 = new ImageGeometry(1, 8);
  private static final int CLASSES = 3;

  @TempDir
  Path dir;

  /** Samples first..first+count-1: label position % 3, pixels predictable from the position. */
  static List<PackedTars.Sample> samples(int first, int count) throws IOException {
    List<PackedTars.Sample> samples = new ArrayList<>();
    for (int position = first; position < first + count; position++) {
      byte[] png = PackedTars.greyPng(DataFiles.pixels(position, 64), 8, 8);
      samples.add(PackedTars.Sample.of(position, png, position % CLASSES, CLASSES, 0.75f));
    }
    return samples;
  }

  LocalDirectoryStore storeWithTwoShards() throws IOException {
    PackedTars.write(dir.resolve("runs/r/packed/" + PackedTars.shardName(1, 2)), samples(5, 4));
    PackedTars.write(dir.resolve("runs/r/packed/" + PackedTars.shardName(0, 2)), samples(0, 5));
    Files.writeString(dir.resolve("runs/r/packed/progress-00000.json"), "{}");
    return new LocalDirectoryStore(dir);
  }

  static List<TrainingExample> readAll(ExampleShard shard) throws IOException {
    List<TrainingExample> examples = new ArrayList<>();
    try (ExampleShard.Reader reader = shard.open()) {
      for (ExampleShard.Encoded encoded = reader.next(); encoded != null; encoded = reader.next()) {
        examples.add(encoded.decode());
      }
    }
    return examples;
  }

  @Test
  void readsEachSampleOfEveryShardWithItsPseudoLabel() throws IOException {
    List<ExampleShard> shards = PackedShards.list(storeWithTwoShards(), "runs/r/packed", GREY8, CLASSES, false);
    assertThat(shards).extracting(ExampleShard::describe)
        .allMatch(uri -> uri.endsWith(".tar")).anyMatch(uri -> uri.endsWith("shard-00000-of-00002.tar"));
    List<TrainingExample> examples = new ArrayList<>();
    for (ExampleShard shard : shards) {
      examples.addAll(readAll(shard));
    }
    assertThat(examples).extracting(e -> e.image().ordinal()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    for (TrainingExample example : examples) {
      int position = (int) example.image().ordinal();
      assertThat(example.classes()).containsExactly(position % CLASSES);
      assertThat(example.weights()).containsExactly(1f);
      assertThat(example.image().pixels()).isEqualTo(DataFiles.pixels(position, 64));
    }
  }

  @Test
  void softTargetsAreTheTeachersTopPDistribution() throws IOException {
    List<ExampleShard> shards = PackedShards.list(storeWithTwoShards(), "runs/r/packed", GREY8, CLASSES, true);
    TrainingExample fourth = readAll(shards.get(0)).get(4);
    assertThat(fourth.classes()).containsExactly(1, 2);
    assertThat(fourth.weights()).containsExactly(0.75f, 0.25f);
    float[] target = new float[CLASSES];
    fourth.writeTarget(target, 0, CLASSES);
    assertThat(target).containsExactly(0f, 0.75f, 0.25f);
  }

  @Test
  void aCorruptImageIsSkippedAndCountedByTheStream() throws IOException {
    List<PackedTars.Sample> samples = samples(0, 6);
    PackedTars.Sample good = samples.get(2);
    samples.set(2, new PackedTars.Sample(good.position(), "not a png".getBytes(StandardCharsets.US_ASCII), "png",
        good.label(), good.ref(), good.score(), good.classes(), good.probabilities()));
    PackedTars.write(dir.resolve("packed/" + PackedTars.shardName(0, 1)), samples);
    List<ExampleShard> shards = PackedShards.list(new LocalDirectoryStore(dir), "packed", GREY8, CLASSES, false);

    ShuffledShards set = new ShuffledShards(shards, CLASSES, 6, 4);
    try (TrainingSet.Pass pass = set.epoch(1, 0, 0)) {
      List<Long> read = new ArrayList<>();
      for (TrainingExample example = pass.next(); example != null; example = pass.next()) {
        read.add(example.image().ordinal());
      }
      assertThat(read).containsExactlyInAnyOrder(0L, 1L, 3L, 4L, 5L);
      assertThat(pass.skipped()).isEqualTo(1);
    }
  }

  @Test
  void aSampleWithoutItsLabelOrWithABadOneFailsNamingIt() throws IOException {
    Path shard = dir.resolve("packed/" + PackedTars.shardName(0, 1));
    DataFiles.tar(shard, new java.util.LinkedHashMap<>(java.util.Map.of("0000000000.png",
        PackedTars.greyPng(DataFiles.pixels(0, 64), 8, 8))));
    ExampleShard lacking = PackedShards.list(new LocalDirectoryStore(dir), "packed", GREY8, CLASSES, false).get(0);
    assertThatThrownBy(() -> readAll(lacking)).hasMessageContaining("sample 0000000000 lacks its .cls member");

    List<PackedTars.Sample> samples = samples(0, 1);
    PackedTars.Sample only = samples.get(0);
    PackedTars.write(shard, List.of(new PackedTars.Sample(0, only.image(), "png", 7, "r", 1f, new int[] {7}, new float[] {1f})));
    ExampleShard outOfRange = PackedShards.list(new LocalDirectoryStore(dir), "packed", GREY8, CLASSES, false).get(0);
    assertThatThrownBy(() -> readAll(outOfRange)).hasMessageContaining("0000000000.cls: holds '7', not a class in 0..2");
  }

  @Test
  void aTruncatedShardIsBadDataNamingShardAndOffset() throws IOException {
    Path shard = PackedTars.write(dir.resolve("packed/" + PackedTars.shardName(0, 1)), samples(0, 3));
    byte[] whole = Files.readAllBytes(shard);
    Files.write(shard, Arrays.copyOf(whole, 1536));
    ExampleShard cut = PackedShards.list(new LocalDirectoryStore(dir), "packed", GREY8, CLASSES, false).get(0);
    // Through the one tar reader: exit 2 like a truncated pool shard, not a plain IOException (exit 1).
    assertThatThrownBy(() -> readAll(cut)).isInstanceOf(BadDataException.class)
        .hasMessageContaining("shard-00000-of-00001.tar: truncated at offset");
  }
}
