package dev.semisup.worker.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.progress.ProgressListener;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.CandidateShardReader;
import dev.semisup.worker.stages.infer.InferStage;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.testing.TinyDataset;
import dev.semisup.worker.testing.TorchScriptTeacherFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Infer with a TorchScript teacher: the pool (8x8 grey, as the run's data) is read at the
 * teacher's declared input (3 channels, its own mean and std) and every candidate's scores are
 * PyTorch's probabilities for that image, as scripts/make-torchscript-teacher.py computed them.
 */
class TorchScriptInferTest {

  private static final int SHARDS = 2;

  @TempDir
  Path dir;

  @Test
  void candidatesCarryTheSameNetworksPyTorchProbabilities() throws Exception {
    TorchScriptTeacherFiles files = TorchScriptTeacherFiles.copyTo(dir.resolve("teacher"));
    SemiSupervisedRunSpec spec = spec(files, files.teacherYaml(uri(dir.resolve("teacher"))));
    StagePlan plan = StagePlan.of(spec);
    assertThat(plan.steps().get(0).id()).as("a given teacher is not trained").isEqualTo("infer");
    LocalDirectoryStore store = new LocalDirectoryStore(dir.resolve("store"));
    ObjectLayout layout = new ObjectLayout("runs/ts");

    List<Candidate> candidates = new ArrayList<>();
    for (int shard = 0; shard < SHARDS; shard++) {
      StageContext context = StageContext.builder("ts", spec).plan(plan).step(plan.require("infer"), shard)
          .artifacts(layout, store).data(new FileBlobs()).progress(ProgressListener.NONE, Duration.ZERO).build();
      // Two replicas of the module, as on a pod with two devices: the second is loaded again from the file.
      new InferStage(List.of(Device.cpu(), Device.cpu())).run(context);
      String key = layout.candidateShard(plan.require("infer"), shard);
      try (InputStream in = store.open(key);
           CandidateShardReader reader = CandidateShardReader.open(in, key)) {
        for (int cls = 0; cls < files.classes(); cls++) {
          candidates.addAll(reader.readClass(cls));
        }
      }
    }

    // top-P = classes and top-K = the pool: every image under every class, with its whole distribution.
    assertThat(candidates).hasSize(files.images() * files.classes());
    for (Candidate candidate : candidates) {
      int image = (int) candidate.ordinal();
      double[] expected = files.probabilities(image);
      assertThat((double) candidate.score()).as("image %d, class %d", image, candidate.pseudoLabel())
          .isCloseTo(expected[candidate.pseudoLabel()], within(1e-4));
      for (int i = 0; i < candidate.classes().length; i++) {
        assertThat((double) candidate.probabilities()[i]).as("image %d, class %d", image, candidate.classes()[i])
            .isCloseTo(expected[candidate.classes()[i]], within(1e-4));
      }
    }
  }

  @Test
  void aParamsTeacherGivenATorchScriptFileSaysToDeclareIt() throws Exception {
    TorchScriptTeacherFiles.copyTo(dir.resolve("teacher"));
    String teacher = "teacher: {architecture: cnn-small, checkpoint: \"" + uri(dir.resolve("teacher")) + "teacher.pt\"}";
    SemiSupervisedRunSpec spec = spec(TorchScriptTeacherFiles.copyTo(dir.resolve("teacher")), teacher);
    StagePlan plan = StagePlan.of(spec);
    StageContext context = StageContext.builder("ts", spec).plan(plan).step(plan.require("infer"), 0)
        .artifacts(new ObjectLayout("runs/ts"), new LocalDirectoryStore(dir.resolve("store"))).data(new FileBlobs())
        .progress(ProgressListener.NONE, Duration.ZERO).build();

    assertThatThrownBy(() -> new InferStage(List.of(Device.cpu())).run(context))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("spec.teacher.checkpoint: ")
        .hasMessageContaining("set spec.teacher.format: torchscript and spec.teacher.input");
  }

  private static String uri(Path folder) {
    return folder.toUri().toString();
  }

  /** The run's own data are TinyDataset's (8x8 grey); the pool is the 48 images PyTorch scored. */
  private SemiSupervisedRunSpec spec(TorchScriptTeacherFiles files, String teacherYaml) throws Exception {
    String tiny = uri(TinyDataset.writeTo(dir.resolve("tiny")));
    String teacher = uri(dir.resolve("teacher"));
    String yaml = """
        apiVersion: semisup.dev/v1alpha1
        kind: SemiSupervisedRun
        metadata: {name: ts}
        spec:
          data:
            classes: 3
            imageSize: 8
            channels: 1
            horizontalFlip: false
            labeled: {uri: "%1$s%2$s", labelsUri: "%1$s%3$s", format: idx, perClass: 10, seed: 1}
            unlabeled: {uri: "%4$s%5$s", labelsUri: "%4$s%6$s", format: idx}
            validation: {uri: "%1$s%2$s", labelsUri: "%1$s%3$s", format: idx}
        %7$s
          student:
            architecture: cnn-small
          sampling: {topK: %8$d, topP: 3, shards: %9$d}
        """.formatted(tiny, TinyDataset.TRAIN_IMAGES, TinyDataset.TRAIN_LABELS, teacher,
        TorchScriptTeacherFiles.POOL_IMAGES, TorchScriptTeacherFiles.POOL_LABELS, teacherYaml.indent(2).stripTrailing(),
        files.images(), SHARDS);
    return Manifests.parse(yaml, "ts.yaml").getSpec();
  }
}
