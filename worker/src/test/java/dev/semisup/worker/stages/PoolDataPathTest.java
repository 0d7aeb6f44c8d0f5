package dev.semisup.worker.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.worker.data.ImageRef;
import dev.semisup.worker.run.StageRunner;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.SampledIndex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The billion-scale data path on a small tar pool: shards read the pool once between them and
 * find what one shard finds; a killed shard resumes from its checkpoint to the same bytes; pack
 * writes exactly the index's entries; a corrupt member is skipped, not packed.
 */
class PoolDataPathTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FILES = 12;
  private static final int PER_FILE = 20;

  @TempDir
  Path dir;

  @Test
  void shardsTogetherOpenEveryPoolFileOnceAndFindWhatOneShardFinds() throws Exception {
    TarPoolRun one = TarPoolRun.create(dir.resolve("one"), FILES, PER_FILE, 1, "");
    Path oneStore = dir.resolve("one-store");
    runAll(one, oneStore, "infer", 1, TarPoolRun.files());
    runAll(one, oneStore, "select", 1, TarPoolRun.files());

    TarPoolRun three = TarPoolRun.create(dir.resolve("three"), FILES, PER_FILE, 3, "");
    Path threeStore = dir.resolve("three-store");
    CountingBlobs counting = new CountingBlobs(TarPoolRun.files(), three.poolUri());
    runAll(three, threeStore, "infer", 3, counting);
    runAll(three, threeStore, "select", 1, TarPoolRun.files());

    List<String> poolFiles;
    try (var files = Files.list(three.poolDir)) {
      poolFiles = files.map(file -> file.toUri().toString()).sorted().toList();
    }
    assertThat(counting.opens()).containsOnlyKeys(poolFiles).allSatisfy((file, opens) -> assertThat(opens).isEqualTo(1));
    assertThat(counting.bytes()).isEqualTo(poolFiles.stream().mapToLong(PoolDataPathTest::size).sum());
    assertThat(counting.listings()).isEqualTo(Map.of(three.poolUri(), 1)); // shard 0, once, into the manifest
    assertThat(Files.readString(threeStore.resolve("runs/tarpool/pool/manifest.tsv"))).contains("part-0011.tar");

    List<Candidate> oneIndex = index(oneStore);
    List<Candidate> threeIndex = index(threeStore);
    assertThat(oneIndex).hasSize(3 * 25); // every class fills its top-K of 25 from 246 images
    assertThat(threeIndex).isEqualTo(oneIndex.stream().map(c -> withPool(c, one, three)).toList());
    JsonNode summary = JSON.readTree(threeStore.resolve("runs/tarpool/index/summary.json").toFile());
    assertThat(summary.get("pseudoLabelPrecision")).as("from hidden labels carried through infer").isNotNull();
    assertThat(threeIndex).allSatisfy(c -> assertThat(c.hiddenLabel()).isEqualTo(imageNumber(c) % 3));
  }

  @Test
  void aKilledShardRescoresAtMostOneCheckpointIntervalAndWritesTheSameCandidates() throws Exception {
    TarPoolRun run = TarPoolRun.create(dir.resolve("pool"), FILES, PER_FILE, 1, ", checkpointFiles: 2");
    Path whole = dir.resolve("whole");
    runAll(run, whole, "infer", 1, TarPoolRun.files());

    Path killed = dir.resolve("killed");
    CountingBlobs dying = new CountingBlobs(TarPoolRun.files(), run.poolUri()).failingAtOpen(8);
    assertThatThrownBy(() -> StageRunner.run(run.context(killed, "infer", 0, dying))).hasMessageContaining("killed");
    assertThat(dying.opens()).hasSize(7);
    assertThat(killed.resolve("runs/tarpool/candidates/checkpoint-00000.bin")).exists();

    CountingBlobs resumed = new CountingBlobs(TarPoolRun.files(), run.poolUri());
    StageRunner.run(run.context(killed, "infer", 0, resumed));
    int rescored = dying.opens().size() + resumed.opens().size() - FILES;
    assertThat(rescored).as("files scored twice").isEqualTo(1).isLessThanOrEqualTo(2);
    assertThat(resumed.listings()).as("the manifest is not listed again").isEmpty();
    String shard = "runs/tarpool/candidates/shard-00000-of-00001.bin";
    assertThat(Files.readAllBytes(killed.resolve(shard))).isEqualTo(Files.readAllBytes(whole.resolve(shard)));
    assertThat(killed.resolve("runs/tarpool/candidates/checkpoint-00000.bin")).doesNotExist();
  }

  @Test
  void aShardStoppedAfterWritingItsCandidatesScoresNothingAgain() throws Exception {
    TarPoolRun run = TarPoolRun.create(dir.resolve("pool"), FILES, PER_FILE, 1, ", checkpointFiles: 2");
    Path store = dir.resolve("stopped");
    runAll(run, store, "infer", 1, TarPoolRun.files());
    String shard = "runs/tarpool/candidates/shard-00000-of-00001.bin";
    byte[] candidates = Files.readAllBytes(store.resolve(shard));
    // The pod's last moments undone: its success markers (and its checkpoint) are as a kill
    // between the candidates' write and the marker's would leave them.
    var context = run.context(store, "infer", 0, TarPoolRun.files());
    context.store().delete(context.layout().shardSuccess(context.step(), 0));
    context.store().delete(context.layout().success(context.step()));
    context.store().putString(context.layout().inferCheckpoint(context.step(), 0), "left by the stopped pod");

    CountingBlobs restarted = new CountingBlobs(TarPoolRun.files(), run.poolUri());
    assertThat(StageRunner.run(run.context(store, "infer", 0, restarted))).isEqualTo(StageRunner.Outcome.RAN);

    assertThat(restarted.opens()).as("pool files read again").isEmpty();
    assertThat(Files.readAllBytes(store.resolve(shard))).isEqualTo(candidates);
    assertThat(context.store().exists(context.layout().success(context.step()))).isTrue();
    assertThat(context.store().exists(context.layout().inferCheckpoint(context.step(), 0))).isFalse();
  }

  @Test
  void packedShardsHoldExactlyTheIndexEntriesInAShuffledOrder() throws Exception {
    TarPoolRun run = TarPoolRun.create(dir.resolve("pool"), FILES, PER_FILE, 2, ", packShards: 3");
    Path store = dir.resolve("store");
    runAll(run, store, "infer", 2, TarPoolRun.files());
    runAll(run, store, "select", 1, TarPoolRun.files());
    CountingBlobs counting = new CountingBlobs(TarPoolRun.files(), run.poolUri());
    runAll(run, store, "pack", 3, counting);

    List<Candidate> index = index(store);
    Map<Integer, Sample> packed = new TreeMap<>();
    for (int shard = 0; shard < 3; shard++) {
      Path tar = store.resolve(String.format("runs/tarpool/packed/shard-%05d-of-00003.tar", shard));
      packed.putAll(read(tar, shard));
    }
    assertThat(store.resolve("runs/tarpool/packed/_SUCCESS")).exists();
    assertThat(packed.keySet()).as("positions 0..n-1, each once").containsExactlyElementsOf(
        java.util.stream.IntStream.range(0, index.size()).boxed().toList());
    assertThat(packed.values().stream().map(s -> s.ref + " " + s.cls).sorted().toList())
        .isEqualTo(index.stream().map(c -> c.key() + " " + c.pseudoLabel()).sorted().toList());
    assertThat(packed.values().stream().map(s -> s.cls).toList())
        .as("shuffled, not in the index's class order").isNotEqualTo(index.stream().map(Candidate::pseudoLabel).toList());
    Map<String, Candidate> byRefAndClass = index.stream()
        .collect(Collectors.toMap(c -> c.key() + " " + c.pseudoLabel(), c -> c));
    for (Sample sample : packed.values()) {
      ImageRef ref = ImageRef.parse(sample.ref);
      try (InputStream in = TarPoolRun.files().openRange(ref.file(), ref.offset(), ref.length())) {
        assertThat(sample.image).as("the pool member's original bytes").isEqualTo(in.readAllBytes());
      }
      Candidate entry = byRefAndClass.get(sample.ref + " " + sample.cls);
      assertThat(sample.json.get("score").floatValue()).isEqualTo(entry.score());
      assertThat(sample.json.get("classes").size()).isEqualTo(entry.classes().length);
      assertThat(sample.json.get("probabilities").get(0).floatValue()).isEqualTo(entry.probabilities()[0]);
    }
    assertThat(counting.bytes()).as("ranged reads: sampled members only")
        .isEqualTo(index.stream().mapToLong(c -> ImageRef.parse(c.key()).length()).sum());
  }

  @Test
  void aCorruptPoolMemberIsSkippedByInferAndByPack() throws Exception {
    TarPoolRun run = TarPoolRun.create(dir.resolve("pool"), 4, PER_FILE, 1, ", packShards: 1");
    Path store = dir.resolve("store");
    // Break one member before inference: infer skips it, it never enters the index.
    Path first = run.poolDir.resolve("part-0000.tar");
    corrupt(first, 5 * 512); // the second sample's PNG data: headers and data are 512-byte records (png, cls, png, ...)
    runAll(run, store, "infer", 1, TarPoolRun.files());
    runAll(run, store, "select", 1, TarPoolRun.files());
    List<Candidate> index = index(store);
    assertThat(index).noneMatch(c -> c.key().contains("#img-000001.png"));

    // Break a sampled member after select: pack skips every entry of that image and packs the rest.
    Candidate victim = index.get(0);
    ImageRef ref = ImageRef.parse(victim.key());
    corrupt(Path.of(java.net.URI.create(ref.file())), ref.offset());
    long entriesOfVictim = index.stream().filter(c -> c.key().equals(victim.key())).count();
    runAll(run, store, "pack", 1, TarPoolRun.files());
    Map<Integer, Sample> packed = read(store.resolve("runs/tarpool/packed/shard-00000-of-00001.tar"), 0);
    assertThat(packed).hasSize(index.size() - (int) entriesOfVictim);
    assertThat(packed.values()).noneMatch(s -> s.ref.equals(victim.key()));
    JsonNode progress = JSON.readTree(store.resolve("runs/tarpool/packed/progress-00000.json").toFile());
    assertThat(progress.toString()).contains("\"done\":" + packed.size()).contains("\"total\":" + index.size());
    assertThat(progress.path("skippedImages").asLong()).as("pack counts what it skipped").isPositive();
    JsonNode inferProgress = JSON.readTree(store.resolve("runs/tarpool/candidates/progress-00000.json").toFile());
    assertThat(inferProgress.path("skippedImages").asLong()).as("infer counts the member broken before it").isEqualTo(1);
  }

  @Test
  void aFolderPoolIsReadOnceByFileAndPackedWithItsFilesBytes() throws Exception {
    TarPoolRun run = TarPoolRun.create(dir.resolve("pool"), 3, 100, 2, ", packShards: 1", true);
    Path store = dir.resolve("store");
    CountingBlobs counting = new CountingBlobs(TarPoolRun.files(), run.poolUri());
    runAll(run, store, "infer", 2, counting);
    assertThat(counting.opens()).hasSize(300).allSatisfy((file, opens) -> assertThat(opens).isEqualTo(1));
    runAll(run, store, "select", 1, TarPoolRun.files());
    List<Candidate> index = index(store);
    // The class folders are hidden labels: carried through infer, each slice numbering them alike.
    assertThat(index).isNotEmpty().allSatisfy(c -> assertThat(c.hiddenLabel()).isEqualTo(imageNumber(c) % 3));
    runAll(run, store, "pack", 1, TarPoolRun.files());
    Map<Integer, Sample> packed = read(store.resolve("runs/tarpool/packed/shard-00000-of-00001.tar"), 0);
    assertThat(packed).hasSize(index.size());
    for (Sample sample : packed.values()) {
      assertThat(ImageRef.parse(sample.ref).ranged()).isFalse();
      assertThat(sample.image).isEqualTo(Files.readAllBytes(Path.of(java.net.URI.create(sample.ref))));
    }
  }

  private record Sample(String ref, int cls, byte[] image, JsonNode json) {
  }

  /** The samples of one packed tar by position, checking the member order image, .cls, .json. */
  private static Map<Integer, Sample> read(Path tar, int shard) throws IOException {
    Map<Integer, Sample> samples = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
      List<TarArchiveEntry> group = new ArrayList<>();
      List<byte[]> bodies = new ArrayList<>();
      for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        group.add(entry);
        bodies.add(in.readAllBytes());
        if (group.size() == 3) {
          String base = group.get(0).getName().substring(0, 10);
          assertThat(group).extracting(TarArchiveEntry::getName)
              .containsExactly(base + ".png", base + ".cls", base + ".json");
          JsonNode json = JSON.readTree(bodies.get(2));
          assertThat(json.fieldNames()).toIterable().containsExactly("ref", "score", "classes", "probabilities");
          samples.put(Integer.parseInt(base), new Sample(json.get("ref").asText(),
              Integer.parseInt(new String(bodies.get(1), StandardCharsets.US_ASCII)), bodies.get(0), json));
          group.clear();
          bodies.clear();
        }
      }
      assertThat(group).as("shard " + shard + " ends on a whole sample").isEmpty();
    }
    return samples;
  }

  private static void runAll(TarPoolRun run, Path store, String step, int shards, dev.semisup.worker.store.Blobs blobs)
      throws IOException {
    for (int shard = 0; shard < shards; shard++) {
      StageRunner.run(run.context(store, step, shard, blobs));
    }
  }

  private static List<Candidate> index(Path store) throws IOException {
    Path part = store.resolve("runs/tarpool/index/part-00000.bin");
    return SampledIndex.readAll(new ByteArrayInputStream(Files.readAllBytes(part)), part.toString());
  }

  /** The same entry with its reference moved to the other run's (identical) pool folder. */
  private static Candidate withPool(Candidate c, TarPoolRun from, TarPoolRun to) {
    return new Candidate(c.ordinal(), c.key().replace(from.poolUri(), to.poolUri()), c.pseudoLabel(), c.score(),
        c.classes(), c.probabilities(), c.hiddenLabel());
  }

  private static int imageNumber(Candidate c) {
    ImageRef ref = ImageRef.parse(c.key());
    String name = ref.member() != null ? ref.member() : ref.file().substring(ref.file().lastIndexOf('/') + 1);
    return Integer.parseInt(name.substring("img-".length(), name.indexOf('.')));
  }

  private static void corrupt(Path file, long offset) throws IOException {
    try (RandomAccessFile bytes = new RandomAccessFile(file.toFile(), "rw")) {
      bytes.seek(offset);
      bytes.write(new byte[64]);
    }
  }

  private static long size(String uri) {
    try {
      return Files.size(Path.of(java.net.URI.create(uri)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
