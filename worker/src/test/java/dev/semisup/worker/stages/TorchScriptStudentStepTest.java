package dev.semisup.worker.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.model.card.ModelCards;
import dev.semisup.worker.progress.ProgressListener;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.CandidateShardReader;
import dev.semisup.worker.stages.finetune.FinetuneStage;
import dev.semisup.worker.stages.infer.InferStage;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.testing.TinyDataset;
import dev.semisup.worker.testing.TorchScriptStudentFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step folder written by a torch-ddp trainer (model.pt, its card naming it torchscript, history,
 * metrics, _SUCCESS, as scripts/make-torchscript-student.py wrote it) used by the steps after it:
 * the next round's infer scores the pool with the module, as PyTorch did; the card's format and
 * file decide what is read; a module that does not fit its card fails the step's completion; the
 * djl engine refuses to fine-tune it. (Servable directory and report: TorchScriptStudentRunTest.)
 */
class TorchScriptStudentStepTest {

  private static final int SHARDS = 2;

  @TempDir
  Path dir;

  TorchScriptStudentFiles files;
  SemiSupervisedRunSpec spec;
  StagePlan plan;
  LocalDirectoryStore store;
  ObjectLayout layout;

  @BeforeEach
  void aRunOfTwoRounds() throws Exception {
    files = TorchScriptStudentFiles.read();
    spec = spec();
    plan = StagePlan.of(spec);
    store = new LocalDirectoryStore(dir.resolve("store"));
    layout = new ObjectLayout("runs/ts");
  }

  @Test
  void theNextRoundsInferScoresThePoolWithTheTrainersModule() throws Exception {
    PlannedStep finetune = plan.require("finetune");
    TorchScriptStudentFiles.writeStep(stepFolder(finetune));
    PlannedStep infer = plan.require("infer-r2");
    assertThat(plan.teacherOf(2)).contains(finetune);

    List<Candidate> candidates = new ArrayList<>();
    for (int shard = 0; shard < SHARDS; shard++) {
      new InferStage(List.of(Device.cpu())).run(context(infer, shard));
      candidates.addAll(candidates(infer, shard));
    }

    // top-P = classes and top-K = the pool: every image under every class, with its whole distribution.
    assertThat(candidates).hasSize(files.images() * files.classes());
    for (Candidate candidate : candidates) {
      int image = (int) candidate.ordinal();
      double[] expected = files.probabilities(image);
      for (int i = 0; i < candidate.classes().length; i++) {
        assertThat((double) candidate.probabilities()[i]).as("image %d, class %d", image, candidate.classes()[i])
            .isCloseTo(expected[candidate.classes()[i]], within(1e-4));
      }
    }
  }

  @Test
  void aDjlStudentReadThroughItsCardScoresAsItsParametersReadWithoutOne() throws Exception {
    PlannedStep finetune = plan.require("finetune");
    Regularization noise = Regularization.of(spec.getStudent().getNoise());
    try (Network network = Network.create("cnn-small", ModelShape.of(spec.getData()), noise, 5)) {
      store.write(layout.model(finetune), network::saveParameters);
    }
    PlannedStep infer = plan.require("infer-r2");
    new InferStage(List.of(Device.cpu())).run(context(infer, 0));
    List<Candidate> withoutCard = candidates(infer, 0);
    // Infer keeps a finished shard: its outputs go, so it scores again.
    deleteTree(dir.resolve("store").resolve(layout.folder(infer)));
    store.put(layout.modelCard(finetune), ModelCards.of(spec, "cnn-small", noise, List.of("0", "1", "2"), null, null,
        finetune).toJson());

    new InferStage(List.of(Device.cpu())).run(context(infer, 0));

    List<Candidate> withCard = candidates(infer, 0);
    assertThat(withCard).hasSameSizeAs(withoutCard).isNotEmpty();
    for (int i = 0; i < withCard.size(); i++) {
      assertThat(withCard.get(i).ordinal()).isEqualTo(withoutCard.get(i).ordinal());
      assertThat(withCard.get(i).probabilities()).isEqualTo(withoutCard.get(i).probabilities());
    }
  }

  @Test
  void theCardsFormatDecidesHowTheFileIsRead() throws Exception {
    PlannedStep finetune = plan.require("finetune");
    Path folder = stepFolder(finetune);
    TorchScriptStudentFiles.writeStep(folder);
    // The same file under a card that calls it this project's parameters: read as such, it is refused.
    String card = Files.readString(folder.resolve("model-card.json"));
    Files.writeString(folder.resolve("model-card.json"), card.replace("\"torchscript\"", "\"semisup-parameters/v1\""));

    assertThatThrownBy(() -> new InferStage(List.of(Device.cpu())).run(context(plan.require("infer-r2"), 0)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(store.uri(layout.folder(finetune) + "/model.pt"));
  }

  @Test
  void aCardNamingAFileOutsideItsFolderIsRefused() throws Exception {
    PlannedStep finetune = plan.require("finetune");
    Path folder = stepFolder(finetune);
    TorchScriptStudentFiles.writeStep(folder);
    String card = Files.readString(folder.resolve("model-card.json"));
    Files.writeString(folder.resolve("model-card.json"), card.replace("\"model.pt\"", "\"../student/model.pt\""));

    assertThatThrownBy(() -> new InferStage(List.of(Device.cpu())).run(context(plan.require("infer-r2"), 0)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("parameters.file '../student/model.pt' is not a file name in the step's folder");
  }

  @Test
  void aModuleForAnotherShapeThanItsCardSaysFailsTheCompletionNamingTheCard() throws Exception {
    PlannedStep student = plan.require("student");
    Path folder = stepFolder(student);
    TorchScriptStudentFiles.writeStep(folder);
    String card = Files.readString(folder.resolve("model-card.json"));
    Files.writeString(folder.resolve("model-card.json"), card.replace("\"imageSize\" : 8", "\"imageSize\": 8")
        .replace("\"imageSize\": 8", "\"imageSize\": 16"));
    assertThat(Files.readString(folder.resolve("model-card.json"))).contains("\"imageSize\": 16");

    assertThatThrownBy(() -> TrainedElsewhere.complete(context(student, 0)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("fails on a batch of one 1x16x16 image")
        .hasMessageContaining(store.uri(layout.modelCard(student)) + "'s channels and imageSize");
  }

  @Test
  void theDjlEngineRefusesToFineTuneATorchScriptStudent() throws Exception {
    PlannedStep student = plan.require("student");
    TorchScriptStudentFiles.writeStep(stepFolder(student));

    assertThatThrownBy(() -> new FinetuneStage().run(context(plan.require("finetune"), 0)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("finetune: student's model is a TorchScript module")
        .hasMessageContaining("set spec.student.finetuneEngine.type: torch-ddp");
    assertThat(dir.resolve("store").resolve(layout.model(plan.require("finetune")))).doesNotExist();
  }

  private List<Candidate> candidates(PlannedStep infer, int shard) throws Exception {
    List<Candidate> candidates = new ArrayList<>();
    String key = layout.candidateShard(infer, shard);
    try (InputStream in = store.open(key); CandidateShardReader reader = CandidateShardReader.open(in, key)) {
      for (int cls = 0; cls < files.classes(); cls++) {
        candidates.addAll(reader.readClass(cls));
      }
    }
    return candidates;
  }

  private static void deleteTree(Path folder) throws java.io.IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private Path stepFolder(PlannedStep step) {
    return dir.resolve("store").resolve(layout.folder(step));
  }

  private StageContext context(PlannedStep step, int shard) {
    return StageContext.builder("ts", spec).plan(plan).step(step, shard).artifacts(layout, store)
        .data(new FileBlobs()).progress(ProgressListener.NONE, Duration.ZERO).build();
  }

  private static String uri(Path folder) {
    return folder.toUri().toString();
  }

  /** Two rounds on TinyDataset's 8x8 grey data; the pool is the 60 images PyTorch scored. */
  private SemiSupervisedRunSpec spec() throws Exception {
    String tiny = uri(TinyDataset.writeTo(dir.resolve("tiny")));
    String pool = uri(TorchScriptStudentFiles.writeImages(dir.resolve("pool")));
    String yaml = """
        apiVersion: semisup.dev/v1alpha1
        kind: SemiSupervisedRun
        metadata: {name: ts}
        spec:
          rounds: 2
          data:
            classes: 3
            imageSize: 8
            channels: 1
            horizontalFlip: false
            labeled: {uri: "%1$s%2$s", labelsUri: "%1$s%3$s", format: idx, perClass: 10, seed: 1}
            unlabeled: {uri: "%4$s%5$s", labelsUri: "%4$s%6$s", format: idx}
            validation: {uri: "%1$s%2$s", labelsUri: "%1$s%3$s", format: idx}
          teacher:
            architecture: cnn-small
          student:
            architecture: cnn-small
          sampling: {topK: %7$d, topP: 3, shards: %8$d}
        """.formatted(tiny, TinyDataset.TRAIN_IMAGES, TinyDataset.TRAIN_LABELS, pool, TorchScriptStudentFiles.IMAGES,
        TorchScriptStudentFiles.LABELS, files.images(), SHARDS);
    return Manifests.parse(yaml, "ts.yaml").getSpec();
  }
}
