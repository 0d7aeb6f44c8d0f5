package dev.semisup.worker.data;

import static dev.semisup.worker.data.DataFiles.cls;
import static dev.semisup.worker.data.DataFiles.encode;
import static dev.semisup.worker.data.DataFiles.grey;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.Problem;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.testing.TinyDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every data source opened and checked before the first step, with real bad files. */
class PreflightTest {

  @TempDir
  Path dir;

  Path data;

  @BeforeEach
  void tinyData() throws Exception {
    data = TinyDataset.writeTo(dir.resolve("data"));
  }

  private String uri(Path path) {
    return "file://" + path.toAbsolutePath();
  }

  private SemiSupervisedRunSpec spec(String labeled, String unlabeled, String validation, int shards) throws Exception {
    String yaml = """
        apiVersion: semisup.dev/v1alpha1
        kind: SemiSupervisedRun
        metadata: {name: preflight}
        spec:
          data:
            classes: 3
            imageSize: 8
            channels: 1
            labeled: %s
            unlabeled: %s
            validation: %s
          teacher: {architecture: cnn-small, training: {epochs: 1, batchSize: 10, learningRate: 0.02}}
          student:
            architecture: cnn-small
            training: {epochs: 1, batchSize: 10, learningRate: 0.02}
            finetuning: {epochs: 1, batchSize: 10, learningRate: 0.02}
          sampling: {topK: 10, topP: 1, shards: %d}
        """.formatted(labeled, unlabeled, validation, shards);
    return Manifests.parse(yaml, "preflight.yaml").getSpec();
  }

  private String idx(String images, String labels) {
    return "{uri: \"" + uri(data.resolve(images)) + "\", labelsUri: \"" + uri(data.resolve(labels)) + "\", format: idx}";
  }

  private String train() {
    return idx(TinyDataset.TRAIN_IMAGES, TinyDataset.TRAIN_LABELS);
  }

  private String test() {
    return idx(TinyDataset.TEST_IMAGES, TinyDataset.TEST_LABELS);
  }

  private List<Problem> check(SemiSupervisedRunSpec spec) throws Exception {
    return Preflight.check(spec, new FileBlobs());
  }

  @Test
  void goodDataHasNoProblem() throws Exception {
    assertThat(check(spec(train(), train(), test(), 2))).isEmpty();
  }

  @Test
  void aZeroByteValidationFileFailsNamingFieldAndFile() throws Exception {
    Path empty = Files.write(data.resolve("empty-images.gz"), new byte[0]);

    List<Problem> problems = check(spec(train(), train(), idx("empty-images.gz", TinyDataset.TEST_LABELS), 2));

    assertThat(problems).containsExactly(new Problem("spec.data.validation.uri", uri(empty) + ": the file is empty (0 bytes)"));
  }

  @Test
  void aFolderOfShardsWithoutTheTrailingSlashFailsBeforeTheWork() throws Exception {
    DataFiles.tar(dir.resolve("val/shard-0.tar"), Map.of("a.png", encode(grey(0, 8, 8), "png"), "a.cls", cls(0)));

    List<Problem> problems = check(spec(train(), train(), "{uri: \"" + uri(dir.resolve("val")) + "\", format: tar}", 2));

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).field()).isEqualTo("spec.data.validation.uri");
    assertThat(problems.get(0).message()).contains(uri(dir.resolve("val")), "is a directory; a folder URI ends with '/'");
  }

  @Test
  void aTruncatedIdxFileFailsWithItsOffset() throws Exception {
    byte[] whole = Files.readAllBytes(data.resolve(TinyDataset.TEST_IMAGES));
    Files.write(data.resolve("cut-images.gz"), Arrays.copyOf(whole, whole.length / 2));

    List<Problem> problems = check(spec(train(), train(), idx("cut-images.gz", TinyDataset.TEST_LABELS), 2));

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).field()).isEqualTo("spec.data.validation.uri");
    assertThat(problems.get(0).message()).startsWith(uri(data.resolve("cut-images.gz")) + ": truncated at offset ")
        .contains("(uncompressed): expected 90 images of 8x8");
  }

  @Test
  void aLabelOutOfRangeNamesTheLabelsFile() throws Exception {
    int[] labels = new int[90];
    labels[17] = 7;
    labels[0] = 1;
    labels[1] = 2;
    Files.write(data.resolve("bad-labels"), DataFiles.idxLabels(labels));

    List<Problem> problems = check(spec(train(), train(), idx(TinyDataset.TEST_IMAGES, "bad-labels"), 2));

    assertThat(problems).containsExactly(new Problem("spec.data.validation.labelsUri",
        uri(data.resolve("bad-labels")) + ": image #17 has label 7, outside 0..2 (data.classes is 3)"));
  }

  @Test
  void aTarClsOutOfRangeFails() throws Exception {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("a.png", encode(grey(0, 8, 8), "png"));
    members.put("a.cls", cls(0));
    members.put("b.png", encode(grey(1, 8, 8), "png"));
    members.put("b.cls", cls(12));
    Path shard = DataFiles.tar(dir.resolve("val/shard-0.tar"), members);

    List<Problem> problems = check(spec(train(), train(), "{uri: \"" + uri(dir.resolve("val")) + "/\", format: tar}", 2));

    assertThat(problems).containsExactly(new Problem("spec.data.validation.uri",
        uri(shard) + ": member b has label 12, outside 0..2 (data.classes is 3)"));
  }

  @Test
  void aValidationFolderMissingAClassFolderFailsNamingIt() throws Exception {
    for (String name : List.of("bag", "coat", "shirt")) {
      for (int i = 0; i < 2; i++) {
        write(dir.resolve("train/" + name + "/" + i + ".png"), encode(grey(i, 8, 8), "png"));
      }
    }
    write(dir.resolve("val/bag/0.png"), encode(grey(0, 8, 8), "png"));
    write(dir.resolve("val/shirt/0.png"), encode(grey(0, 8, 8), "png"));
    String labeled = "{uri: \"" + uri(dir.resolve("train")) + "/\", format: folder}";

    List<Problem> problems = check(spec(labeled, train(), "{uri: \"" + uri(dir.resolve("val")) + "/\", format: folder}", 2));

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).field()).isEqualTo("spec.data.validation.uri");
    assertThat(problems.get(0).message()).startsWith(uri(dir.resolve("val")) + "/ lacks class folder 'coat' (");
  }

  @Test
  void aLabeledSetWithoutSomeClassFails() throws Exception {
    int[] labels = new int[90];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 2;
    }
    Files.write(data.resolve("two-classes"), DataFiles.idxLabels(labels));

    List<Problem> problems = check(spec(idx(TinyDataset.TEST_IMAGES, "two-classes"), train(), test(), 2));

    assertThat(problems).containsExactly(new Problem("spec.data.labeled.uri",
        uri(data.resolve(TinyDataset.TEST_IMAGES)) + ": no image of class 2 among its 90 images (data.classes is 3)"));
  }

  @Test
  void moreShardsThanPoolImagesAreRefused() throws Exception {
    List<Problem> problems = check(spec(train(), train(), test(), 5000));

    assertThat(problems).containsExactly(new Problem("spec.sampling.shards",
        "5000 infer shards for a pool of 300 images would leave shards with nothing to score; use at most 300"));
  }

  @Test
  void moreShardsThanPoolTarFilesAreRefused() throws Exception {
    for (int file = 0; file < 2; file++) {
      DataFiles.tar(dir.resolve("pool/shard-" + file + ".tar"), Map.of("a.png", encode(grey(0, 8, 8), "png")));
    }
    String pool = "{uri: \"" + uri(dir.resolve("pool")) + "/\", format: tar}";

    assertThat(check(spec(train(), pool, test(), 2))).isEmpty();
    assertThat(check(spec(train(), pool, test(), 3))).containsExactly(new Problem("spec.sampling.shards",
        "3 infer shards for a pool of 2 tar files would leave shards with nothing to score (each shard reads whole files);"
            + " use at most 2"));
  }

  @Test
  void aLargeTarSetIsCheckedOnItsFirstShardsOnly() throws Exception {
    for (int shard = 0; shard <= Preflight.TAR_SHARDS; shard++) {
      Map<String, byte[]> members = new LinkedHashMap<>();
      for (int c = 0; c < 3; c++) {
        members.put(c + ".png", encode(grey(c, 8, 8), "png"));
        // Only the last shard, beyond the sample, holds a bad class number.
        members.put(c + ".cls", cls(shard == Preflight.TAR_SHARDS && c == 2 ? 9 : c));
      }
      DataFiles.tar(dir.resolve(String.format("val/shard-%02d.tar", shard)), members);
    }
    String validation = "{uri: \"" + uri(dir.resolve("val")) + "/\", format: tar}";

    assertThat(check(spec(train(), train(), validation, 2))).isEmpty();

    Files.move(dir.resolve(String.format("val/shard-%02d.tar", Preflight.TAR_SHARDS)), dir.resolve("val/shard-00a.tar"));
    assertThat(check(spec(train(), train(), validation, 2))).extracting(Problem::message)
        .containsExactly(uri(dir.resolve("val/shard-00a.tar")) + ": member 2 has label 9, outside 0..2 (data.classes is 3)");
  }

  @Test
  void aPoolOfClassFoldersMustHaveTheLabeledSetsClassFolders() throws Exception {
    for (String name : List.of("bag", "coat", "shirt")) {
      for (int i = 0; i < 2; i++) {
        write(dir.resolve("train/" + name + "/" + i + ".png"), encode(grey(i, 8, 8), "png"));
        write(dir.resolve("pool/" + (name.equals("coat") ? "dress" : name) + "/" + i + ".png"), encode(grey(i, 8, 8), "png"));
      }
    }
    String labeled = "{uri: \"" + uri(dir.resolve("train")) + "/\", format: folder}";
    String pool = "{uri: \"" + uri(dir.resolve("pool")) + "/\", format: folder}";
    String validation = labeled;

    List<Problem> problems = check(spec(labeled, pool, validation, 2));

    assertThat(problems).extracting(Problem::field).containsExactly("spec.data.unlabeled.uri");
    assertThat(problems.get(0).message())
        .startsWith(uri(dir.resolve("pool")) + "/ lacks class folder 'coat' and has class folder 'dress' not in the labeled set");
  }

  @Test
  void aValidationSetWhoseFirstImageDoesNotDecodeFails() throws Exception {
    Path broken = write(dir.resolve("val/class-0/0.png"), "not an image".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    write(dir.resolve("val/class-1/0.png"), encode(grey(1, 8, 8), "png"));
    write(dir.resolve("val/class-2/0.png"), encode(grey(2, 8, 8), "png"));

    List<Problem> problems = check(spec(train(), train(), "{uri: \"" + uri(dir.resolve("val")) + "/\", format: folder}", 2));

    assertThat(problems).containsExactly(new Problem("spec.data.validation.uri",
        uri(broken) + ": corrupt image: not a JPEG or PNG image (12 bytes)"));
  }
}
