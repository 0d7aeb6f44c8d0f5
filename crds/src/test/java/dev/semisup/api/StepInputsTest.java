package dev.semisup.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.plan.StepInputs;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Which spec fields feed which step: a change redoes exactly the steps that read it. */
class StepInputsTest {

  static SemiSupervisedRunSpec spec(String manifest) throws ManifestException {
    return Manifests.parse(manifest, "run.yaml").getSpec();
  }

  static Map<String, StepInputs> inputs(SemiSupervisedRunSpec spec) {
    StagePlan plan = StagePlan.of(spec);
    Map<String, StepInputs> inputs = new LinkedHashMap<>();
    for (PlannedStep step : plan.steps()) {
      inputs.put(step.id(), plan.inputs(spec, step));
    }
    return inputs;
  }

  /** The steps whose training hash changes, and those whose evaluation hash alone changes. */
  record Changed(java.util.List<String> retrained, java.util.List<String> reevaluated) {
  }

  static Changed change(String manifest, Consumer<SemiSupervisedRunSpec> edit) throws ManifestException {
    Map<String, StepInputs> before = inputs(spec(manifest));
    SemiSupervisedRunSpec changed = spec(manifest);
    edit.accept(changed);
    Map<String, StepInputs> after = inputs(changed);
    var retrained = before.keySet().stream().filter(id -> !before.get(id).training().equals(after.get(id).training())).toList();
    var reevaluated = before.keySet().stream().filter(id -> before.get(id).training().equals(after.get(id).training())
        && !before.get(id).evaluation().equals(after.get(id).evaluation())).toList();
    return new Changed(retrained, reevaluated);
  }

  @Test
  void theSameSpecHashesTheSameEveryTime() throws ManifestException {
    assertThat(inputs(spec(SpecValidatorTest.MANIFEST))).isEqualTo(inputs(spec(SpecValidatorTest.MANIFEST)));
    assertThat(inputs(spec(SpecValidatorTest.MANIFEST)).get("teacher").training()).hasSize(64);
  }

  @Test
  void aValidationFixReevaluatesTheTrainedModelsAndRetrainsNothing() throws ManifestException {
    Changed changed = change(SpecValidatorTest.MANIFEST, s -> s.getData().getValidation().setUri("s3://data/t10k-images-v2.gz"));
    assertThat(changed.retrained()).isEmpty();
    assertThat(changed.reevaluated()).containsExactly("teacher", "student", "finetune");
  }

  @Test
  void studentEpochsRedoStudentAndFinetuneOnly() throws ManifestException {
    Changed changed = change(SpecValidatorTest.MANIFEST, s -> s.getStudent().getTraining().setEpochs(7));
    assertThat(changed.retrained()).containsExactly("student", "finetune");
  }

  @Test
  void packShardsRepackAndRetrainTheStudentButKeepTheIndex() throws ManifestException {
    Changed changed = change(SpecValidatorTest.MANIFEST, s -> s.getSampling().setPackShards(3));
    assertThat(changed.retrained()).containsExactly("pack", "student", "finetune");
  }

  @Test
  void packResizeSettingsRepackAndRetrainTheStudentOnlyWhenSet() throws ManifestException {
    // Unset, they leave the hashes as they were (EnginesTest pins a student hash, which chains pack's).
    assertThat(StepInputs.trainingFields(Stage.PACK)).contains("spec.sampling.packShortSide", "spec.sampling.packJpegQuality");
    assertThat(change(SpecValidatorTest.MANIFEST, s -> s.getSampling().setPackShortSide(0)).retrained())
        .containsExactly("pack", "student", "finetune");
    assertThat(change(SpecValidatorTest.MANIFEST, s -> s.getSampling().setPackJpegQuality(80)).retrained())
        .containsExactly("pack", "student", "finetune");
  }

  @Test
  void topKRedoesInferenceAndEverythingAfterItButNotTheTeacher() throws ManifestException {
    Changed changed = change(SpecValidatorTest.MANIFEST, s -> s.getSampling().setTopK(10));
    assertThat(changed.retrained()).containsExactly("infer", "select", "pack", "student", "finetune");
  }

  @Test
  void unbalancedSelectionRedoesInferenceAndEverythingAfterItButNotTheTeacher() throws ManifestException {
    Changed changed = change(SpecValidatorTest.MANIFEST,
        s -> s.getSampling().setSelection(dev.semisup.api.v1alpha1.Selection.UNBALANCED));
    assertThat(changed.retrained()).containsExactly("infer", "select", "pack", "student", "finetune");
    // The default written out hashes as the field left out: runs from before the field are kept.
    assertThat(change(SpecValidatorTest.MANIFEST,
        s -> s.getSampling().setSelection(dev.semisup.api.v1alpha1.Selection.BALANCED)).retrained()).isEmpty();
  }

  @Test
  void theLabeledSetAndTheTeacherFeedEveryStep() throws ManifestException {
    assertThat(change(SpecValidatorTest.MANIFEST, s -> s.getData().getLabeled().setPerClass(50)).retrained())
        .containsExactly("teacher", "infer", "select", "pack", "student", "finetune");
    assertThat(change(SpecValidatorTest.MANIFEST, s -> s.getTeacher().getTraining().setLearningRate(0.01)).retrained())
        .containsExactly("teacher", "infer", "select", "pack", "student", "finetune");
  }

  @Test
  void laterRoundsChainOnTheFineTunedStudent() throws ManifestException {
    String tworounds = SpecValidatorTest.MANIFEST.replace("sampling: {", "rounds: 2\n  sampling: {");
    assertThat(change(tworounds, s -> s.getStudent().getFinetuning().setEpochs(2)).retrained())
        .containsExactly("finetune", "infer-r2", "select-r2", "pack-r2", "student-r2", "finetune-r2");
  }

  @Test
  void theTableNamesTheFieldsOfEachStage() {
    assertThat(StepInputs.trainingFields(Stage.TEACHER)).contains("spec.data.labeled", "spec.teacher.training")
        .doesNotContain("spec.data.validation", "spec.data.unlabeled", "spec.sampling.topK");
    assertThat(StepInputs.evaluationFields(Stage.TEACHER)).containsExactly("spec.data.validation");
    assertThat(StepInputs.trainingFields(Stage.INFER)).contains("spec.data.unlabeled", "spec.sampling.topK");
    assertThat(StepInputs.evaluationFields(Stage.INFER)).isEmpty();
    assertThat(StepInputs.trainingFields(Stage.FINETUNE)).contains("spec.student.finetuning")
        .doesNotContain("spec.student.training");
    for (Stage stage : Stage.values()) {
      assertThat(StepInputs.trainingFields(stage)).as(stage.wireName()).isNotEmpty();
    }
  }

  @Test
  void aTorchScriptTeachersFileFormatAndDeclaredInputFeedInferenceAndEverythingAfterIt() throws ManifestException {
    String torchScript = SpecValidatorTest.withTorchScriptTeacher(SpecValidatorTest.TORCHSCRIPT_TEACHER);
    String[] everyStep = {"infer", "select", "pack", "student", "finetune"};
    assertThat(change(torchScript, s -> s.getTeacher().getInput().setImageSize(160)).retrained())
        .containsExactly(everyStep);
    assertThat(change(torchScript, s -> s.getTeacher().getInput().setMean(java.util.List.of(0.5))).retrained())
        .containsExactly(everyStep);
    assertThat(change(torchScript, s -> s.getTeacher().setCheckpoint("s3://models/other.pt")).retrained())
        .containsExactly(everyStep);
    assertThat(change(torchScript, s -> s.getTeacher().getInput().setImageSize(224)).retrained()).isEmpty();
  }

  @Test
  void aParamsCheckpointHashesAsItDidBeforeTorchScriptTeachersExisted() throws ManifestException {
    String given = SpecValidatorTest.MANIFEST.replace("teacher: {architecture: cnn-large}",
        "teacher: {architecture: cnn-large, checkpoint: \"s3://models/teacher.params\"}");
    // Writing the default format out changes nothing: finished runs are not redone.
    assertThat(change(given, s -> s.getTeacher().setFormat(dev.semisup.api.v1alpha1.TeacherFormat.PARAMS)).retrained())
        .isEmpty();
    assertThat(change(given, s -> s.getTeacher().setCheckpoint("s3://models/other.params")).retrained())
        .containsExactly("infer", "select", "pack", "student", "finetune");
  }
}
