package dev.semisup.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.plan.StepResources;
import dev.semisup.api.v1alpha1.ResourcesSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.StepResourcesSpec;
import dev.semisup.api.v1alpha1.TeacherSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class StagePlanTest {

  static SemiSupervisedRunSpec spec(int rounds, int shards, String checkpoint) {
    SemiSupervisedRunSpec spec = new SemiSupervisedRunSpec();
    spec.setRounds(rounds);
    spec.getSampling().setShards(shards);
    TeacherSpec teacher = new TeacherSpec();
    teacher.setArchitecture("cnn-small");
    teacher.setCheckpoint(checkpoint);
    spec.setTeacher(teacher);
    return spec;
  }

  @Test
  void oneRoundIsTheMethodsFourStepsWithSelectionSplitOut() {
    StagePlan plan = StagePlan.of(spec(1, 4, null));
    assertThat(plan.steps()).extracting(PlannedStep::id).containsExactly("teacher", "infer", "select", "pack", "student", "finetune");
    assertThat(plan.require("infer").shards()).isEqualTo(4);
    assertThat(plan.require("pack").shards()).isEqualTo(4);
    assertThat(plan.require("pack").sharded()).isTrue();
    assertThat(plan.require("select").shards()).isEqualTo(1);
    assertThat(plan.last().id()).isEqualTo("finetune");
  }

  @Test
  void aGivenTeacherCheckpointSkipsTheTeacherStep() {
    StagePlan plan = StagePlan.of(spec(1, 1, "s3://models/teacher.params"));
    assertThat(plan.steps()).extracting(PlannedStep::id).containsExactly("infer", "select", "pack", "student", "finetune");
    assertThat(plan.teacherOf(1)).isEmpty();
  }

  @Test
  void laterRoundsUseThePreviousFineTunedStudentAsTeacher() {
    StagePlan plan = StagePlan.of(spec(3, 2, null));
    assertThat(plan.steps()).extracting(PlannedStep::id).containsExactly(
        "teacher", "infer", "select", "pack", "student", "finetune",
        "infer-r2", "select-r2", "pack-r2", "student-r2", "finetune-r2",
        "infer-r3", "select-r3", "pack-r3", "student-r3", "finetune-r3");
    assertThat(plan.teacherOf(1)).map(PlannedStep::id).contains("teacher");
    assertThat(plan.teacherOf(3)).map(PlannedStep::id).contains("finetune-r2");
    assertThat(plan.sibling(plan.require("student-r2"), Stage.SELECT).id()).isEqualTo("select-r2");
    assertThat(PlannedStep.stageOf("select-r2")).isEqualTo(Stage.SELECT);
    assertThat(PlannedStep.roundOf("select-r2")).isEqualTo(2);
  }

  @Test
  void packShardsDefaultToInferShardsAndMayBeSetApart() {
    SemiSupervisedRunSpec spec = spec(1, 6, null);
    assertThat(StagePlan.of(spec).require("pack").shards()).isEqualTo(6);
    spec.getSampling().setPackShards(2);
    assertThat(StagePlan.of(spec).require("pack").shards()).isEqualTo(2);
  }

  @Test
  void selectAndPackAskForNoGpuUnlessTheirOwnEntrySays() {
    ResourcesSpec resources = new ResourcesSpec();
    resources.setGpus(2);
    resources.setCpu("4");
    resources.setMemory("16Gi");
    resources.getSteps().put("select", new StepResourcesSpec(null, "1", "64Gi"));
    resources.getSteps().put("infer", new StepResourcesSpec(4, null, null));
    assertThat(StepResources.of(resources, Stage.TEACHER)).isEqualTo(new StepResources(2, "4", "16Gi"));
    assertThat(StepResources.of(resources, Stage.INFER)).isEqualTo(new StepResources(4, "4", "16Gi"));
    assertThat(StepResources.of(resources, Stage.SELECT)).isEqualTo(new StepResources(0, "1", "64Gi"));
    assertThat(StepResources.of(resources, Stage.PACK)).isEqualTo(new StepResources(0, "4", "16Gi"));
    resources.getSteps().put("pack", new StepResourcesSpec(1, null, null));
    assertThat(StepResources.of(resources, Stage.PACK).gpus()).isEqualTo(1);
    assertThat(StepResources.of(null, Stage.STUDENT)).isEqualTo(new StepResources(0, "2", "4Gi"));
  }

  @Test
  void aStepOutsideThePlanIsNamed() {
    assertThatThrownBy(() -> StagePlan.of(spec(1, 1, null)).require("infer-r2"))
        .hasMessageContaining("step 'infer-r2' is not in this run's plan");
  }

  @Test
  void layoutKeysFollowTheArchitecture() {
    StagePlan plan = StagePlan.of(spec(2, 8, null));
    ObjectLayout layout = new ObjectLayout("/runs/team-a/demo/");
    assertThat(layout.specSnapshot()).isEqualTo("runs/team-a/demo/spec.json");
    assertThat(layout.model(plan.require("teacher"))).isEqualTo("runs/team-a/demo/teacher/model.params");
    assertThat(layout.candidateShard(plan.require("infer"), 3)).isEqualTo("runs/team-a/demo/candidates/shard-00003-of-00008.bin");
    assertThat(layout.indexPart(plan.require("select"), 0)).isEqualTo("runs/team-a/demo/index/part-00000.bin");
    assertThat(layout.indexSummary(plan.require("select-r2"))).isEqualTo("runs/team-a/demo/round-2/index/summary.json");
    assertThat(layout.checkpoint(plan.require("student"), 3)).isEqualTo("runs/team-a/demo/student/checkpoints/epoch-0003.ckpt");
    assertThat(layout.checkpoint(plan.require("student"), 3, 0)).isEqualTo(layout.checkpoint(plan.require("student"), 3));
    // Keys sort in training order, so the newest checkpoint is the last one listed.
    assertThat(List.of(layout.checkpoint(plan.require("student"), 4), layout.checkpoint(plan.require("student"), 3, 500),
        layout.checkpoint(plan.require("student"), 3), layout.checkpoint(plan.require("student"), 3, 20)).stream().sorted())
        .containsExactly("runs/team-a/demo/student/checkpoints/epoch-0003.ckpt",
            "runs/team-a/demo/student/checkpoints/epoch-0003.step-000000020.ckpt",
            "runs/team-a/demo/student/checkpoints/epoch-0003.step-000000500.ckpt",
            "runs/team-a/demo/student/checkpoints/epoch-0004.ckpt");
    assertThat(layout.success(plan.require("finetune-r2"))).isEqualTo("runs/team-a/demo/round-2/finetune/_SUCCESS");
    assertThat(layout.report()).isEqualTo("runs/team-a/demo/report.json");
    assertThat(layout.poolManifest()).isEqualTo("runs/team-a/demo/pool/manifest.tsv");
    assertThat(layout.packedShard(plan.require("pack"), 3)).isEqualTo("runs/team-a/demo/packed/shard-00003-of-00008.tar");
    assertThat(layout.shardSuccess(plan.require("pack-r2"), 3)).isEqualTo("runs/team-a/demo/round-2/packed/_SUCCESS-00003");
    assertThat(layout.shardProgress(plan.require("pack"), 1)).isEqualTo("runs/team-a/demo/packed/progress-00001.json");
    assertThat(layout.inferCheckpoint(plan.require("infer"), 2)).isEqualTo("runs/team-a/demo/candidates/checkpoint-00002.bin");
    assertThatThrownBy(() -> layout.shardSuccess(plan.require("select"), 0)).hasMessageContaining("not a sharded step");
    assertThatThrownBy(() -> layout.model(plan.require("select"))).hasMessageContaining("trains no model");
    assertThat(layout.modelCard(plan.require("student-r2"))).isEqualTo("runs/team-a/demo/round-2/student/model-card.json");
    assertThat(layout.servableModel(plan.require("finetune"))).isEqualTo("runs/team-a/demo/finetune/servable/");
    assertThatThrownBy(() -> layout.modelCard(plan.require("infer"))).hasMessageContaining("trains no model");
  }
}
