package dev.semisup.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.validation.Problem;
import dev.semisup.api.validation.SpecValidator;
import dev.semisup.api.validation.SpecValidator.Target;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {

  static final String MANIFEST = """
      apiVersion: semisup.dev/v1alpha1
      kind: SemiSupervisedRun
      metadata: {name: demo, namespace: team-a}
      spec:
        storage: {endpoint: "http://minio:9000", bucket: semisup, credentialsSecret: minio}
        data:
          classes: 10
          labeled: {uri: "s3://data/train-images.gz", labelsUri: "s3://data/train-labels.gz", format: idx, perClass: 100}
          unlabeled: {uri: "s3://data/train-images.gz", format: idx, excludeLabeled: true}
          validation: {uri: "s3://data/t10k-images.gz", labelsUri: "s3://data/t10k-labels.gz", format: idx}
        teacher: {architecture: cnn-large}
        student: {architecture: cnn-small, noise: {dropout: 0.3}}
        sampling: {topK: 5000, topP: 10, shards: 4}
      """;

  static SemiSupervisedRun parse(String text) throws ManifestException {
    return Manifests.parse(text, "run.yaml");
  }

  static List<String> fields(String text, Target target) throws ManifestException {
    return SpecValidator.validate(parse(text).getSpec(), target).stream().map(Problem::field).toList();
  }

  @Test
  void aCompleteManifestIsValidWithDefaultsFilledIn() throws ManifestException {
    SemiSupervisedRun run = parse(MANIFEST);
    assertThat(SpecValidator.validate(run.getSpec(), Target.CLUSTER)).isEmpty();
    assertThat(run.getSpec().getRounds()).isEqualTo(1);
    assertThat(run.getSpec().getTeacher().getTraining().getEpochs()).isEqualTo(10);
    assertThat(run.getSpec().getData().resolvedImageSize()).isEqualTo(28);
    assertThat(run.getSpec().getData().resolvedChannels()).isEqualTo(1);
    assertThat(run.getSpec().getStorage().resolvedPrefix("team-a", "demo")).isEqualTo("runs/team-a/demo");
  }

  @Test
  void everyProblemIsReportedWithItsFieldPath() throws ManifestException {
    String broken = MANIFEST.replace("topK: 5000", "topK: 0").replace("topP: 10", "topP: 11")
        .replace("architecture: cnn-large", "architecture: alexnet").replace("classes: 10", "classes: 10\n    channels: 2")
        .replace("labelsUri: \"s3://data/t10k-labels.gz\", ", "");
    assertThat(fields(broken, Target.CLUSTER)).containsExactlyInAnyOrder("spec.sampling.topK", "spec.sampling.topP",
        "spec.teacher.architecture", "spec.data.channels", "spec.data.validation.labelsUri");
  }

  @Test
  void streamingTrainingKnobsHaveDefaultsAndBounds() throws ManifestException {
    SemiSupervisedRun run = parse(MANIFEST);
    assertThat(run.getSpec().getStudent().getTraining().getShuffleBuffer()).isEqualTo(10_000);
    assertThat(run.getSpec().getStudent().getTraining().getCheckpointEverySteps()).isEqualTo(500);
    assertThat(run.getSpec().getTeacher().getTraining().getCacheLimitMiB()).isEqualTo(1024);
    String broken = MANIFEST.replace("teacher: {architecture: cnn-large}",
        "teacher: {architecture: cnn-large, training: {shuffleBuffer: 0, checkpointEverySteps: -1, cacheLimitMiB: -5}}");
    assertThat(fields(broken, Target.CLUSTER)).containsExactlyInAnyOrder("spec.teacher.training.shuffleBuffer",
        "spec.teacher.training.checkpointEverySteps", "spec.teacher.training.cacheLimitMiB");
  }

  @Test
  void validationEveryFewEpochsIsAtLeastOne() throws ManifestException {
    String every3 = MANIFEST.replace("classes: 10", "classes: 10\n    validateEveryEpochs: 3");
    assertThat(fields(every3, Target.CLUSTER)).isEmpty();
    assertThat(parse(every3).getSpec().getData().validatesAfter(3, 10)).isTrue();
    assertThat(parse(every3).getSpec().getData().validatesAfter(4, 10)).isFalse();
    assertThat(parse(every3).getSpec().getData().validatesAfter(10, 10)).as("the last epoch").isTrue();
    assertThat(parse(MANIFEST).getSpec().getData().validatesAfter(1, 10)).as("default: every epoch").isTrue();
    List<Problem> problems = SpecValidator.validate(
        parse(MANIFEST.replace("classes: 10", "classes: 10\n    validateEveryEpochs: 0")).getSpec(), Target.CLUSTER);
    assertThat(problems).extracting(Problem::field).containsExactly("spec.data.validateEveryEpochs");
    assertThat(problems.get(0).message()).contains("at least 1");
  }

  @Test
  void theSkippedShareOfThePoolIsAFractionDefaultingToFivePercent() throws ManifestException {
    assertThat(parse(MANIFEST).getSpec().getData().skippedFractionLimit()).isEqualTo(0.05);
    String tenPercent = MANIFEST.replace("classes: 10", "classes: 10\n    maxSkippedFraction: 0.1");
    assertThat(fields(tenPercent, Target.CLUSTER)).isEmpty();
    assertThat(parse(tenPercent).getSpec().getData().skippedFractionLimit()).isEqualTo(0.1);
    for (String bad : List.of("1.5", "-0.1")) {
      List<Problem> problems = SpecValidator.validate(parse(MANIFEST.replace("classes: 10",
          "classes: 10\n    maxSkippedFraction: " + bad)).getSpec(), Target.CLUSTER);
      assertThat(problems).extracting(Problem::field).containsExactly("spec.data.maxSkippedFraction");
      assertThat(problems.get(0).message()).contains("must be in [0, 1]").contains(bad);
    }
  }

  @Test
  void aClusterNeedsAnEndpointCredentialsAndS3Data() throws ManifestException {
    String local = MANIFEST.replace("storage: {endpoint: \"http://minio:9000\", bucket: semisup, credentialsSecret: minio}",
        "storage: {bucket: semisup}").replace("s3://data/train-images.gz", "file:///data/train-images.gz");
    assertThat(fields(local, Target.LOCAL)).isEmpty();
    assertThat(fields(local, Target.CLUSTER)).contains("spec.storage.endpoint", "spec.storage.credentialsSecret",
        "spec.data.labeled.uri", "spec.data.unlabeled.uri");
  }

  @Test
  void moreThanOneGpuPerPodIsRefusedUntilTheDataParallelPathHasRunOnGpus() throws ManifestException {
    String eight = MANIFEST + """
          resources:
            gpus: 8
            steps:
              infer: {gpus: 2}
              student: {gpus: 1}
        """;
    assertThat(fields(eight, Target.CLUSTER)).containsExactlyInAnyOrder("spec.resources.gpus", "spec.resources.steps.infer.gpus");
    assertThat(fields(MANIFEST + """
          resources:
            gpus: 1
            steps:
              select: {gpus: 0}
        """, Target.CLUSTER)).isEmpty();
  }

  @Test
  void perStepResourcesNameAStageAndHoldQuantities() throws ManifestException {
    String steps = MANIFEST + """
          resources:
            gpus: 1
            steps:
              select: {cpu: "1", memory: 64Gi}
              pack: {memory: lots}
              selection: {cpu: "1"}
              infer: {gpus: 17}
        """;
    assertThat(fields(steps, Target.CLUSTER)).containsExactlyInAnyOrder(
        "spec.resources.steps.pack.memory", "spec.resources.steps.selection", "spec.resources.steps.infer.gpus");
    String packed = MANIFEST.replace("shards: 4}", "shards: 4, packShards: 0, checkpointFiles: 0}");
    assertThat(fields(packed, Target.CLUSTER)).containsExactlyInAnyOrder(
        "spec.sampling.packShards", "spec.sampling.checkpointFiles");
  }

  @Test
  void packResizeNeedsRoomForTheStudentsInputAndAJpegQuality() throws ManifestException {
    // idx data: the model's input is 28 px.
    assertThat(fields(MANIFEST.replace("shards: 4}", "shards: 4, packShortSide: 0, packJpegQuality: 100}"), Target.CLUSTER))
        .isEmpty();
    assertThat(fields(MANIFEST.replace("shards: 4}", "shards: 4, packShortSide: 28, packJpegQuality: 1}"), Target.CLUSTER))
        .isEmpty();
    List<Problem> problems = SpecValidator.validate(
        parse(MANIFEST.replace("shards: 4}", "shards: 4, packShortSide: 20, packJpegQuality: 101}")).getSpec(), Target.CLUSTER);
    assertThat(problems).extracting(Problem::field)
        .containsExactlyInAnyOrder("spec.sampling.packShortSide", "spec.sampling.packJpegQuality");
    assertThat(problems.get(0).message()).contains("spec.data.imageSize (28)").contains("was 20");
    assertThat(fields(MANIFEST.replace("shards: 4}", "shards: 4, packShortSide: -1, packJpegQuality: 0}"), Target.CLUSTER))
        .containsExactlyInAnyOrder("spec.sampling.packShortSide", "spec.sampling.packJpegQuality");
  }

  @Test
  void packShortSideDefaultsToALittleAboveTheModelsInput() {
    dev.semisup.api.v1alpha1.SamplingSpec sampling = new dev.semisup.api.v1alpha1.SamplingSpec();
    assertThat(sampling.packShortSideFor(224)).isEqualTo(256);
    assertThat(sampling.packShortSideFor(32)).isEqualTo(37);
    assertThat(sampling.packShortSideFor(28)).isEqualTo(32);
    assertThat(sampling.packJpegQualityOrDefault()).isEqualTo(85);
    sampling.setPackShortSide(0);
    assertThat(sampling.packShortSideFor(224)).isZero();
  }

  @Test
  void excludingTheLabeledSetNeedsTheSameSource() throws ManifestException {
    String other = MANIFEST.replace("unlabeled: {uri: \"s3://data/train-images.gz\"", "unlabeled: {uri: \"s3://data/other.gz\"");
    assertThat(fields(other, Target.CLUSTER)).containsExactly("spec.data.unlabeled.excludeLabeled");
  }

  @Test
  void unknownFieldsWrongTypesAndBadEnumsNameTheirPath() {
    assertThatThrownBy(() -> parse(MANIFEST.replace("topP: 10", "topp: 10")))
        .isInstanceOf(ManifestException.class).hasMessageContaining("spec.sampling.topp: unknown field 'topp'");
    assertThatThrownBy(() -> parse(MANIFEST.replace("topK: 5000", "topK: many")))
        .hasMessageContaining("spec.sampling.topK");
    assertThatThrownBy(() -> parse(MANIFEST.replace("format: cifar", "x").replace("format: idx, perClass", "format: png, perClass")))
        .hasMessageContaining("spec.data.labeled.format");
    assertThatThrownBy(() -> parse(MANIFEST.replace("topP: 10,", "topP: 10, selection: global,")))
        .hasMessageContaining("spec.sampling.selection");
    assertThatThrownBy(() -> parse(MANIFEST.replace("apiVersion: semisup.dev/v1alpha1", "apiVersion: v1")))
        .hasMessageContaining("apiVersion: must be semisup.dev/v1alpha1");
  }

  @Test
  void selectionIsBalancedByDefaultAndUnbalancedNeedsAHeapThatFitsAnArray() throws ManifestException {
    assertThat(parse(MANIFEST).getSpec().getSampling().getSelection()).isEqualTo(dev.semisup.api.v1alpha1.Selection.BALANCED);
    String unbalanced = MANIFEST.replace("topP: 10,", "topP: 10, selection: unbalanced,");
    assertThat(parse(unbalanced).getSpec().getSampling().unbalanced()).isTrue();
    assertThat(fields(unbalanced, Target.CLUSTER)).isEmpty();
    assertThat(fields(unbalanced.replace("topK: 5000", "topK: 500000000"), Target.CLUSTER))
        .containsExactly("spec.sampling.selection");
  }

  @Test
  void specJsonRoundTripsForWorkerPods() throws ManifestException {
    SemiSupervisedRun run = parse(MANIFEST);
    String json = Manifests.toJson(run.getSpec());
    assertThat(Manifests.toJson(Manifests.parseSpec(json, "SEMISUP_SPEC"))).isEqualTo(json);
  }

  static final String TORCHSCRIPT_TEACHER = """
      teacher:
          format: torchscript
          checkpoint: s3://models/resnet50-traced.pt
          input: {imageSize: 224, channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}""";

  static String withTorchScriptTeacher(String teacherYaml) {
    return MANIFEST.replace("teacher: {architecture: cnn-large}", teacherYaml);
  }

  @Test
  void aTorchScriptTeacherDeclaresItsInputAndSkipsTheTeacherStep() throws ManifestException {
    SemiSupervisedRun run = parse(withTorchScriptTeacher(TORCHSCRIPT_TEACHER));
    assertThat(SpecValidator.validate(run.getSpec(), Target.CLUSTER)).isEmpty();
    assertThat(run.getSpec().getTeacher().isTorchScript()).isTrue();
    assertThat(run.getSpec().getTeacher().getInput().resolvedStd()).containsExactly(0.229, 0.224, 0.225);
    assertThat(dev.semisup.api.plan.StagePlan.of(run.getSpec()).steps().get(0).id()).isEqualTo("infer");
    String oneValue = TORCHSCRIPT_TEACHER.replace("mean: [0.485, 0.456, 0.406]", "mean: [0.5]");
    assertThat(parse(withTorchScriptTeacher(oneValue)).getSpec().getTeacher().getInput().resolvedMean())
        .containsExactly(0.5, 0.5, 0.5);
    assertThat(parse(MANIFEST).getSpec().getTeacher().isTorchScript()).as("params by default").isFalse();
  }

  @Test
  void aTorchScriptTeacherWithoutItsFileOrInputIsRefusedNamingTheField() throws ManifestException {
    assertThat(fields(withTorchScriptTeacher("teacher: {format: torchscript}"), Target.CLUSTER))
        .containsExactlyInAnyOrder("spec.teacher.checkpoint", "spec.teacher.input");
    assertThat(fields(withTorchScriptTeacher(TORCHSCRIPT_TEACHER.replace("format: torchscript",
        "format: torchscript\n    architecture: resnet50")), Target.CLUSTER))
        .containsExactly("spec.teacher.architecture");
    assertThat(fields(withTorchScriptTeacher(TORCHSCRIPT_TEACHER.replace("format: torchscript", "format: params")),
        Target.CLUSTER)).containsExactlyInAnyOrder("spec.teacher.architecture", "spec.teacher.input");
    String bad = TORCHSCRIPT_TEACHER.replace("imageSize: 224", "imageSize: 4").replace("channels: 3", "channels: 2")
        .replace("std: [0.229, 0.224, 0.225]", "std: [0.2, 0]");
    assertThat(fields(withTorchScriptTeacher(bad), Target.CLUSTER)).containsExactlyInAnyOrder(
        "spec.teacher.input.imageSize", "spec.teacher.input.channels", "spec.teacher.input.std");
    String wrongCounts = TORCHSCRIPT_TEACHER.replace("channels: 3", "channels: 1")
        .replace("std: [0.229, 0.224, 0.225]", "std: []");
    assertThat(SpecValidator.validate(parse(withTorchScriptTeacher(wrongCounts)).getSpec(), Target.CLUSTER))
        .extracting(Problem::toString).containsExactlyInAnyOrder(
            "spec.teacher.input.mean: needs 1 value, has 3",
            "spec.teacher.input.std: is required: 1 value or one per channel");
    assertThatThrownBy(() -> parse(withTorchScriptTeacher(TORCHSCRIPT_TEACHER.replace("torchscript", "onnx"))))
        .hasMessageContaining("spec.teacher.format");
  }

  /** spec.data and spec.teacher.input are one geometry checked once, against the limits a model card has too. */
  @Test
  void bothGeometriesMeetTheSameLimitsWithTheSameMessages() throws ManifestException {
    String geometry = "imageSize: 4, channels: 2, mean: [1.5], std: [0.0001]";
    String badData = MANIFEST.replace("classes: 10", "classes: 10\n    " + geometry.replace(", ", "\n    "));
    String badInput = withTorchScriptTeacher(TORCHSCRIPT_TEACHER.replace(
        "imageSize: 224, channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]", geometry));
    List<String> expected = List.of(
        ".imageSize: must be between 8 and 1024, was 4",
        ".channels: must be 1 or 3, was 2",
        ".mean: values must be between 0.0 and 1.0 (of pixels scaled to [0,1]), has [1.5]",
        ".std: values must be between 0.001 and 1000.0 (of pixels scaled to [0,1]), has [1.0E-4]");

    assertThat(SpecValidator.validate(parse(badData).getSpec(), Target.CLUSTER)).extracting(Problem::toString)
        .containsExactlyInAnyOrderElementsOf(expected.stream().map(p -> "spec.data" + p).toList());
    assertThat(SpecValidator.validate(parse(badInput).getSpec(), Target.CLUSTER)).extracting(Problem::toString)
        .containsExactlyInAnyOrderElementsOf(expected.stream().map(p -> "spec.teacher.input" + p).toList());
  }

  @Test
  void dataValuesPerChannelCountAgainstTheChannelsTheFormatGives() throws ManifestException {
    // idx: one channel when spec.data.channels is left out.
    String twoMeans = MANIFEST.replace("classes: 10", "classes: 10\n    mean: [0.5, 0.5]");
    assertThat(SpecValidator.validate(parse(twoMeans).getSpec(), Target.CLUSTER)).extracting(Problem::toString)
        .containsExactly("spec.data.mean: needs 1 value, has 2");
    String threeStds = MANIFEST.replace("classes: 10", "classes: 10\n    channels: 3\n    std: [0.2, 0.2, 0.3]");
    assertThat(SpecValidator.validate(parse(threeStds).getSpec(), Target.CLUSTER)).isEmpty();
  }
}
