package dev.semisup.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.StepEngine;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StepInputs;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.EngineType;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.Problem;
import dev.semisup.api.validation.SpecValidator;
import dev.semisup.api.validation.SpecValidator.Target;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine of each training step: its bounds, the combinations refused, and its place in the hashes. */
class EnginesTest {

  static final String DDP_STUDENT = SpecValidatorTest.MANIFEST.replace(
      "student: {architecture: cnn-small, noise: {dropout: 0.3}}",
      "student: {architecture: cnn-small, noise: {dropout: 0.3}, engine: {type: torch-ddp, nodes: 2, gpusPerNode: 8},"
          + " finetuneEngine: {type: torch-ddp}}");

  static List<Problem> problems(String manifest) throws ManifestException {
    return SpecValidator.validate(Manifests.parse(manifest, "run.yaml").getSpec(), Target.CLUSTER);
  }

  static List<String> fields(String manifest) throws ManifestException {
    return problems(manifest).stream().map(Problem::field).toList();
  }

  @Test
  void aTorchDdpStudentAndFinetuneWithATrainerAreValid() throws ManifestException {
    String manifest = DDP_STUDENT + """
          trainer: {image: "registry.example/semisup-trainer:2.7.1-cu128", command: [python3, -m, my_trainer]}
        """;
    assertThat(problems(manifest)).isEmpty();
    SemiSupervisedRunSpec spec = Manifests.parse(manifest, "run.yaml").getSpec();
    EngineSpec student = StepEngine.torchDdp(spec, Stage.STUDENT).orElseThrow();
    assertThat(student.nodesOrDefault()).isEqualTo(2);
    assertThat(student.gpusPerNodeOrDefault()).isEqualTo(8);
    EngineSpec finetune = StepEngine.torchDdp(spec, Stage.FINETUNE).orElseThrow();
    assertThat(finetune.nodesOrDefault()).as("default nodes").isEqualTo(1);
    assertThat(finetune.gpusPerNodeOrDefault()).as("default gpusPerNode").isEqualTo(1);
    assertThat(StepEngine.of(spec, Stage.TEACHER)).as("left out: djl").isEmpty();
    assertThat(StepEngine.of(spec, Stage.INFER)).as("infer trains nothing").isEmpty();
  }

  @Test
  void nodesAndGpusPerNodeAreBounded() throws ManifestException {
    String tooMany = DDP_STUDENT.replace("nodes: 2, gpusPerNode: 8", "nodes: 65, gpusPerNode: 17")
        .replace("finetuneEngine: {type: torch-ddp}", "finetuneEngine: {type: torch-ddp, nodes: 0, gpusPerNode: -1}");
    assertThat(fields(tooMany)).containsExactlyInAnyOrder("spec.student.engine.nodes", "spec.student.engine.gpusPerNode",
        "spec.student.finetuneEngine.nodes", "spec.student.finetuneEngine.gpusPerNode");
    assertThat(problems(tooMany).get(0).message()).contains("between 1 and 64", "65");
    assertThat(fields(DDP_STUDENT.replace("gpusPerNode: 8", "gpusPerNode: 0"))).as("0: CPU").isEmpty();
  }

  @Test
  void djlTrainsOnOnePodWithTheResourcesGpus() throws ManifestException {
    String djl = SpecValidatorTest.MANIFEST.replace("teacher: {architecture: cnn-large}",
        "teacher: {architecture: cnn-large, engine: {type: djl, nodes: 2, gpusPerNode: 1}}");
    assertThat(fields(djl)).containsExactlyInAnyOrder("spec.teacher.engine.nodes", "spec.teacher.engine.gpusPerNode");
    assertThat(problems(djl).get(0).message()).contains("torch-ddp");
    assertThat(fields(SpecValidatorTest.MANIFEST.replace("teacher: {architecture: cnn-large}",
        "teacher: {architecture: cnn-large, engine: {type: djl}}"))).isEmpty();
  }

  @Test
  void aTorchDdpFinetuneNeedsATorchDdpStudent() throws ManifestException {
    String djlStudent = DDP_STUDENT.replace("engine: {type: torch-ddp, nodes: 2, gpusPerNode: 8}, ", "");
    assertThat(problems(djlStudent)).singleElement().satisfies(problem -> {
      assertThat(problem.field()).isEqualTo("spec.student.finetuneEngine.type");
      assertThat(problem.message()).contains("spec.student.engine", "cannot read");
    });
  }

  @Test
  void aTorchDdpStudentIsNotFineTunedByDjl() throws ManifestException {
    for (String finetune : List.of(", finetuneEngine: {type: torch-ddp}", "")) {
      String djlFinetune = DDP_STUDENT.replace(", finetuneEngine: {type: torch-ddp}", finetune.isEmpty()
          ? "" : ", finetuneEngine: {type: djl}");
      assertThat(problems(djlFinetune)).singleElement().satisfies(problem -> {
        assertThat(problem.field()).isEqualTo("spec.student.finetuneEngine.type");
        assertThat(problem.message()).contains("spec.student.engine", "spec.student.finetuneEngine", "TorchScript");
      });
    }
  }

  @Test
  void aTorchDdpTeacherIsOnlyForATeacherTrainedHere() throws ManifestException {
    String checkpoint = SpecValidatorTest.MANIFEST.replace("teacher: {architecture: cnn-large}",
        "teacher: {architecture: cnn-large, checkpoint: \"s3://models/teacher.params\", engine: {type: torch-ddp}}");
    assertThat(fields(checkpoint)).containsExactly("spec.teacher.engine");
    assertThat(fields(SpecValidatorTest.MANIFEST.replace("teacher: {architecture: cnn-large}",
        "teacher: {architecture: cnn-large, engine: {type: torch-ddp, nodes: 4}}"))).isEmpty();
  }

  @Test
  void aTorchDdpStepTakesItsGpusFromItsEngineOnly() throws ManifestException {
    String both = DDP_STUDENT + """
          resources:
            steps:
              student: {gpus: 1, memory: 32Gi}
              infer: {gpus: 1}
        """;
    assertThat(fields(both)).containsExactly("spec.resources.steps.student.gpus");
  }

  @Test
  void theTrainerIsForTorchDdpStepsAndItsCommandHasWords() throws ManifestException {
    assertThat(fields(SpecValidatorTest.MANIFEST + """
          trainer: {image: "registry.example/trainer:1"}
        """)).containsExactly("spec.trainer");
    assertThat(fields(DDP_STUDENT + """
          trainer: {image: " ", command: []}
        """)).containsExactlyInAnyOrder("spec.trainer.image", "spec.trainer.command");
    assertThat(fields(DDP_STUDENT + """
          trainer: {command: [torchrun, ""]}
        """)).containsExactly("spec.trainer.command");
  }

  /** What the hashes were before engines existed: a run of then keeps its steps. */
  private static final Map<String, String> HASHES_WITHOUT_ENGINES = Map.of(
      "teacher", "971f3209f6186f61955414a3fc7f7cd3a6bac631f77dea55a1ee09d0d3ce3fbc",
      "student", "d6b41b022c1721dbb87a6c35d4bd9cc2b18add06194ab54a0d462b0c6167a901",
      "finetune", "72c4d972a9d80c692ce74e65834026c24e3ab459bba61a4b95dc33696e4c160b");

  @Test
  void aDjlStepHashesAsBeforeEnginesExisted() throws ManifestException {
    Map<String, StepInputs> plain = StepInputsTest.inputs(StepInputsTest.spec(SpecValidatorTest.MANIFEST));
    HASHES_WITHOUT_ENGINES.forEach((step, hash) -> assertThat(plain.get(step).training()).as(step).isEqualTo(hash));
    var djl = StepInputsTest.change(SpecValidatorTest.MANIFEST, s -> {
      s.getTeacher().setEngine(new EngineSpec(EngineType.DJL, 1, null));
      s.getStudent().setEngine(new EngineSpec(EngineType.DJL, 1, null));
      s.getStudent().setFinetuneEngine(new EngineSpec(EngineType.DJL, 1, null));
    });
    assertThat(djl.retrained()).as("djl written out is the default").isEmpty();
  }

  @Test
  void aTorchDdpStudentRedoesTheStudentAndFinetune() throws ManifestException {
    var changed = StepInputsTest.change(SpecValidatorTest.MANIFEST, s -> {
      s.getStudent().setEngine(new EngineSpec(EngineType.TORCH_DDP, 2, 8));
      s.getStudent().setFinetuneEngine(new EngineSpec(EngineType.TORCH_DDP, 1, 8));
    });
    assertThat(changed.retrained()).containsExactly("student", "finetune");
    assertThat(StepInputsTest.change(DDP_STUDENT, s -> s.getStudent().getEngine().setNodes(4)).retrained())
        .as("the world size shapes the model").containsExactly("student", "finetune");
  }
}
