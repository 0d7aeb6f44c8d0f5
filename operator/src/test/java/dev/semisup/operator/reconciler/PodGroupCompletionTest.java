package dev.semisup.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.status.Conditions;
import dev.semisup.operator.testing.ReconcilerHarness;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A torch-ddp step is done only once the worker completed it: after its trainer group's Job
 * succeeded, the operator makes a completion Job of the worker image, and the step succeeds with
 * that Job, not before. The test writes what the Job controller would, and the files the trainer
 * and the completion leave in the store (FakeArtifacts).
 */
class PodGroupCompletionTest {

  private static final String NS = Runs.NAMESPACE;
  private final ReconcilerHarness harness = new ReconcilerHarness();
  private final ObjectLayout layout = new ObjectLayout("runs/ml/fmnist");
  private final StagePlan plan = StagePlan.of(Runs.withTorchDdpStudent(Runs.spec(), 2, 8));

  @AfterEach
  void close() {
    harness.close();
  }

  /** The steps before the student done; the student's trainer group made. */
  private void studentTraining() throws Exception {
    SemiSupervisedRun run = Runs.run("fmnist");
    Runs.withTorchDdpStudent(run.getSpec(), 2, 8);
    harness.cluster.create(run);
    harness.reconcile("fmnist");
    harness.reconcile("fmnist");
    for (String step : List.of("teacher", "infer", "select", "pack")) {
      harness.cluster.completeJob(NS, "fmnist-" + step);
      harness.reconcile("fmnist");
    }
    assertThat(stage("student").getJobName()).isEqualTo("fmnist-student");
  }

  private StageStatus stage(String step) {
    return harness.run("fmnist").getStatus().getStages().stream().filter(s -> s.getName().equals(step)).findFirst()
        .orElseThrow();
  }

  private void trainerWroteSuccess(String step) {
    harness.artifacts.put(layout.success(plan.require(step)), "");
  }

  @Test
  void theGroupsSucceededJobStartsTheWorkersCompletionAndTheStepWaitsForIt() throws Exception {
    studentTraining();
    harness.cluster.completeJob(NS, "fmnist-student");
    trainerWroteSuccess("student");

    harness.reconcile("fmnist");

    Job completion = harness.cluster.job(NS, "fmnist-student-done");
    assertThat(completion).as("the completion Job").isNotNull();
    assertThat(completion.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .containsExactly("semisup", "stage", "--complete", "student");
    assertThat(completion.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/semisup/semisup-worker:0.1.0");
    assertThat(stage("student").getPhase()).as("the trainer's _SUCCESS is not the step's").isEqualTo(StagePhase.Running);
    assertThat(stage("student").getJobName()).isEqualTo("fmnist-student");
    assertThat(harness.jobNames("fmnist")).doesNotContain("fmnist-finetune");
    assertThat(harness.eventReasons("Normal")).containsOnlyOnce("StepCompleting");
    Condition progressing = Conditions.find(harness.run("fmnist").getStatus().getConditions(), Conditions.PROGRESSING)
        .orElseThrow();
    assertThat(progressing.getMessage()).contains("student's trainer finished", "fmnist-student-done");

    harness.reconcile("fmnist");
    assertThat(harness.jobNames("fmnist")).as("a repeated reconcile makes nothing new")
        .containsExactlyInAnyOrder("fmnist-teacher", "fmnist-infer", "fmnist-select", "fmnist-pack", "fmnist-student",
            "fmnist-student-done");

    harness.cluster.completeJob(NS, "fmnist-student-done");
    harness.reconcile("fmnist");

    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Succeeded);
    assertThat(stage("finetune").getJobName()).isEqualTo("fmnist-finetune");
    assertThat(harness.jobNames("fmnist")).contains("fmnist-finetune").doesNotContain("fmnist-finetune-done");
  }

  @Test
  void aCompletionJobMadeByAReconcileThatDiedBeforeItsStatusWriteIsTakenAsItsOwn() throws Exception {
    studentTraining();
    harness.cluster.completeJob(NS, "fmnist-student");
    // Until released, the caches never see the completion Job: the create's 409 must find it is the run's own.
    harness.holdCaches(NS);
    harness.killBeforeNextStatusWrite();

    assertThatThrownBy(() -> harness.reconcile("fmnist")).isInstanceOf(ReconcilerHarness.OperatorKilled.class);
    assertThat(harness.cluster.job(NS, "fmnist-student-done")).isNotNull();
    harness.reconcile("fmnist");
    harness.releaseCaches();

    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Running);
    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Running);
    assertThat(harness.jobNames("fmnist")).containsOnlyOnce("fmnist-student-done");
    harness.cluster.completeJob(NS, "fmnist-student-done");
    harness.reconcile("fmnist");
    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Succeeded);
  }

  @Test
  void aCompletionPodThatCannotPullTheWorkerImageIsTheReasonTheStepWaits() throws Exception {
    studentTraining();
    harness.cluster.completeJob(NS, "fmnist-student");
    harness.reconcile("fmnist");
    harness.cluster.imagePullFailingPod(NS, "fmnist-student-done", "ghcr.io/semisup/semisup-worker:0.1.0",
        "Back-off pulling image \"ghcr.io/semisup/semisup-worker:0.1.0\"");

    harness.reconcile("fmnist");

    Condition progressing = Conditions.find(harness.run("fmnist").getStatus().getConditions(), Conditions.PROGRESSING)
        .orElseThrow();
    assertThat(progressing.getReason()).isEqualTo("ImagePullBackOff");
    assertThat(progressing.getMessage()).contains("student makes no progress", "semisup-worker:0.1.0");
    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Running);
  }

  @Test
  void aGroupJobGoneWithItsTtlAfterTheTrainersSuccessStillWaitsForTheCompletion() throws Exception {
    studentTraining();
    harness.cluster.completeJob(NS, "fmnist-student");
    trainerWroteSuccess("student");
    // The TTL controller deletes the finished Job before the operator read its outcome.
    harness.cluster.client().batch().v1().jobs().inNamespace(NS).withName("fmnist-student").delete();

    harness.reconcile("fmnist");

    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Running);
    assertThat(harness.cluster.job(NS, "fmnist-student-done")).as("the completion Job").isNotNull();
    harness.cluster.completeJob(NS, "fmnist-student-done");
    harness.reconcile("fmnist");
    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Succeeded);
  }

  @Test
  void aCompletionThatRefusesTheModuleFailsTheRunNamingTheStepAndTheFile() throws Exception {
    studentTraining();
    harness.cluster.completeJob(NS, "fmnist-student");
    harness.reconcile("fmnist");

    String card = "s3://semisup/runs/ml/fmnist/student/model-card.json";
    harness.cluster.failJob(NS, "fmnist-student-done", "PodFailurePolicy", "Container worker for pod"
        + " ml/fmnist-student-done-x7k2p failed with exit code 2 matching FailJob rule at index 0",
        "student: the TorchScript module fails on a batch of one 1x16x16 image: check " + card
        + "'s channels and imageSize");
    harness.reconcile("fmnist");

    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Failed);
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    Condition failed = Conditions.find(harness.run("fmnist").getStatus().getConditions(), Conditions.FAILED)
        .orElseThrow();
    assertThat(failed.getReason()).isEqualTo("StepFailed");
    assertThat(failed.getMessage()).startsWith("student failed").contains("completion Job fmnist-student-done", card);
    assertThat(harness.jobNames("fmnist")).doesNotContain("fmnist-student-a2", "fmnist-finetune");
  }

  @Test
  void aTorchDdpFinetuneEndsWithTheReportItsCompletionWrote() throws Exception {
    studentTraining();
    harness.cluster.completeJob(NS, "fmnist-student");
    harness.reconcile("fmnist");
    harness.cluster.completeJob(NS, "fmnist-student-done");
    harness.reconcile("fmnist");
    harness.cluster.completeJob(NS, "fmnist-finetune");
    harness.reconcile("fmnist");
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Running);
    assertThat(harness.run("fmnist").getStatus().getReportUri()).isNull();

    // What the completion writes before it exits 0.
    harness.artifacts.put(layout.report(), new RunReport("fmnist", 0.81, 0.78, 0.86, 150L, 0.9, List.of()));
    harness.cluster.completeJob(NS, "fmnist-finetune-done");
    harness.reconcile("fmnist");

    SemiSupervisedRun run = harness.run("fmnist");
    assertThat(run.getStatus().getPhase()).isEqualTo(RunPhase.Succeeded);
    assertThat(run.getStatus().getReportUri()).isEqualTo("s3://semisup/runs/ml/fmnist/report.html");
    assertThat(run.getStatus().getMetrics().getFinalAccuracy()).isEqualTo(0.86);
  }
}
