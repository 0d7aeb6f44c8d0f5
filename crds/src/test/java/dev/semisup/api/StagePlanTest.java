package dev.semisup.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
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
    assertThat(plan.steps()).extracting(PlannedStep::id).containsExactly("teacher", "infer", "select", "student", "finetune");
    assertThat(plan.require("infer").shards()).isEqualTo(4);
    assertThat(plan.require("select").shards()).isEqualTo(1);
    assertThat(plan.last().id()).isEqualTo("finetune");
  }

  @Test
  void aGivenTeacherCheckpointSkipsTheTeacherStep() {
    StagePlan plan = StagePlan.of(spec(1, 1, "s3://models/teacher.params"));
    assertThat(plan.steps()).extracting(PlannedStep::id).containsExactly("infer", "select", "student", "finetune");
    assertThat(plan.teacherOf(1)).isEmpty();
  }

  @Test
  void laterRoundsUseThePreviousFineTunedStudentAsTeacher() {
    StagePlan plan = StagePlan.of(spec(3, 2, null));
    assertThat(plan.steps()).extracting(PlannedStep::id).containsExactly(
        "teacher", "infer", "select", "student", "finetune",
        "infer-r2", "select-r2", "student-r2", "finetune-r2",
        "infer-r3", "select-r3", "student-r3", "finetune-r3");
    assertThat(plan.teacherOf(1)).map(PlannedStep::id).contains("teacher");
    assertThat(plan.teacherOf(3)).map(PlannedStep::id).contains("finetune-r2");
    assertThat(plan.sibling(plan.require("student-r2"), Stage.SELECT).id()).isEqualTo("select-r2");
    assertThat(PlannedStep.stageOf("select-r2")).isEqualTo(Stage.SELECT);
    assertThat(PlannedStep.roundOf("select-r2")).isEqualTo(2);
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
    assertThatThrownBy(() -> layout.model(plan.require("select"))).hasMessageContaining("trains no model");
  }
}
