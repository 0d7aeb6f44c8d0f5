package dev.semisup.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.status.Conditions;
import dev.semisup.operator.status.Reason;
import dev.semisup.operator.testing.ReconcilerHarness;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SemiSupervisedRunReconcilerTest {

  private static final String NS = Runs.NAMESPACE;
  private final ReconcilerHarness harness = new ReconcilerHarness();
  private final ObjectLayout layout = new ObjectLayout("runs/ml/fmnist");

  @AfterEach
  void close() {
    harness.close();
  }

  /** Creates the run and lets the operator accept it (the first reconcile writes the plan, Pending). */
  private SemiSupervisedRun create(SemiSupervisedRun run) throws Exception {
    SemiSupervisedRun created = harness.cluster.create(run);
    UpdateControl<SemiSupervisedRun> accepted = harness.reconcile(run.getMetadata().getNamespace(),
        run.getMetadata().getName());
    SemiSupervisedRun pending = harness.cluster.get(run.getMetadata().getNamespace(), run.getMetadata().getName());
    assertThat(pending.getStatus().getPhase()).isEqualTo(RunPhase.Pending);
    assertThat(accepted.getScheduleDelay()).contains(1L);
    assertThat(pending.getStatus().getStages()).isNotEmpty()
        .extracting(StageStatus::getPhase).containsOnly(StagePhase.Pending);
    assertThat(harness.cluster.jobs(run.getMetadata().getNamespace(), run.getMetadata().getName())).isEmpty();
    return created;
  }

  private Condition condition(String run, String type) {
    return Conditions.find(harness.run(run).getStatus().getConditions(), type).orElseThrow(
        () -> new AssertionError("no condition " + type + " in " + harness.run(run).getStatus().getConditions()));
  }

  private StageStatus stage(String run, String step) {
    return harness.run(run).getStatus().getStages().stream().filter(s -> s.getName().equals(step)).findFirst().orElseThrow();
  }

  private void metrics(String step, double accuracy) {
    var plan = StagePlan.of(Runs.spec());
    harness.artifacts.put(layout.metrics(plan.require(step)),
        new StageMetrics(step, "cnn-small", accuracy, 0.5, 1, 100, 900, 3));
  }

  private UpdateControl<SemiSupervisedRun> assertReconcileWritesNothing(String name) throws Exception {
    String resourceVersion = harness.run(name).getMetadata().getResourceVersion();
    UpdateControl<SemiSupervisedRun> control = harness.reconcile(name);
    assertThat(harness.run(name).getMetadata().getResourceVersion()).as("resourceVersion after a reconcile that "
        + "found nothing new").isEqualTo(resourceVersion);
    return control;
  }

  @Test
  void walksThePlanOneJobAfterTheOther() throws Exception {
    create(Runs.run("fmnist"));
    metrics("teacher", 0.81);
    metrics("student", 0.78);
    metrics("finetune", 0.86);
    harness.artifacts.put(layout.report(), new RunReport("fmnist", 0.81, 0.78, 0.86, 150L, 0.9, List.of()));

    harness.reconcile("fmnist");
    SemiSupervisedRun run = harness.run("fmnist");
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-teacher");
    assertThat(run.getStatus().getPhase()).isEqualTo(RunPhase.Running);
    assertThat(run.getStatus().getStage()).isEqualTo("teacher");
    assertThat(run.getStatus().getStages()).extracting(StageStatus::getName)
        .containsExactly("teacher", "infer", "select", "pack", "student", "finetune");
    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Running);
    assertThat(stage("fmnist", "teacher").getAttempts()).isEqualTo(1);
    assertThat(stage("fmnist", "teacher").getJobName()).isEqualTo("fmnist-teacher");
    assertThat(stage("fmnist", "infer").getPhase()).isEqualTo(StagePhase.Pending);
    assertThat(run.getStatus().getObservedGeneration()).isEqualTo(run.getMetadata().getGeneration());
    assertThat(condition("fmnist", Conditions.PROGRESSING).getStatus()).isEqualTo("True");

    for (String step : List.of("teacher", "infer", "select", "pack", "student", "finetune")) {
      assertThat(stage("fmnist", step).getPhase()).isEqualTo(StagePhase.Running);
      harness.cluster.completeJob(NS, "fmnist-" + step);
      harness.reconcile("fmnist");
      assertThat(stage("fmnist", step).getPhase()).isEqualTo(StagePhase.Succeeded);
      assertThat(stage("fmnist", step).getCompletionTime()).isNotNull();
    }

    run = harness.run("fmnist");
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-finetune", "fmnist-infer", "fmnist-pack",
        "fmnist-select", "fmnist-student", "fmnist-teacher");
    assertThat(run.getStatus().getPhase()).isEqualTo(RunPhase.Succeeded);
    assertThat(run.getStatus().getMetrics().getTeacherAccuracy()).isEqualTo(0.81);
    assertThat(run.getStatus().getMetrics().getStudentAccuracy()).isEqualTo(0.78);
    assertThat(run.getStatus().getMetrics().getFinalAccuracy()).isEqualTo(0.86);
    assertThat(run.getStatus().getMetrics().getSampledImages()).isEqualTo(150L);
    assertThat(run.getStatus().getArtifacts()).containsEntry("report", "s3://semisup/runs/ml/fmnist/report.json")
        .containsEntry("teacher", "s3://semisup/runs/ml/fmnist/teacher/")
        .containsEntry("select", "s3://semisup/runs/ml/fmnist/index/");
    assertThat(run.getStatus().getReportUri()).isEqualTo("s3://semisup/runs/ml/fmnist/report.html");
    assertThat(condition("fmnist", Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(stage("fmnist", "infer").getShardsDone()).isEqualTo(2);
    assertThat(harness.eventReasons("Normal")).containsSubsequence("StepStarted", "StepSucceeded", "RunSucceeded")
        .filteredOn("StepStarted"::equals).hasSize(6);
    assertReconcileWritesNothing("fmnist");
  }

  @Test
  void aReconcileThatThrowsSaysSoInProgressingAndNothingElse() throws Exception {
    create(Runs.run("fmnist"));
    harness.reconcile("fmnist");

    harness.reconcileThrew("fmnist", new IllegalStateException(
        "GET http://minio:9000/semisup/runs/ml/fmnist/run.json?X-Amz-Signature=0123abcd: <Error>AccessDenied</Error>"));

    SemiSupervisedRun run = harness.run("fmnist");
    assertThat(condition("fmnist", Conditions.PROGRESSING).getStatus()).isEqualTo("False");
    assertThat(condition("fmnist", Conditions.PROGRESSING).getReason()).isEqualTo(Reason.RECONCILE_ERROR.word());
    assertThat(condition("fmnist", Conditions.PROGRESSING).getMessage()).contains("IllegalStateException")
        .doesNotContain("Signature", "minio", "AccessDenied");
    assertThat(run.getStatus().getPhase()).as("the phase stays the last good reconcile's").isEqualTo(RunPhase.Running);
    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Running);

    harness.reconcile("fmnist");
    assertThat(condition("fmnist", Conditions.PROGRESSING).getStatus()).as("the next good reconcile clears it")
        .isEqualTo("True");
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-teacher");
  }

  @Test
  void everyJobIsOwnedByItsRun() throws Exception {
    SemiSupervisedRun created = create(Runs.run("fmnist"));
    harness.reconcile("fmnist");
    harness.cluster.completeJob(NS, "fmnist-teacher");
    harness.reconcile("fmnist");
    assertThat(harness.jobs("fmnist")).hasSize(2).allSatisfy(job -> {
      var owner = job.getMetadata().getOwnerReferences();
      assertThat(owner).singleElement().satisfies(o -> {
        assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(o.getKind()).isEqualTo("SemiSupervisedRun");
        assertThat(o.getController()).isTrue();
      });
    });
  }

  @Test
  void reconcilingAgainCreatesNoSecondJobAndWritesNothing() throws Exception {
    create(Runs.run("fmnist"));
    harness.reconcile("fmnist");
    harness.reconcile("fmnist"); // the first look at the running step's progress

    UpdateControl<SemiSupervisedRun> again = assertReconcileWritesNothing("fmnist");

    assertThat(again.getScheduleDelay()).contains(10_000L);
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-teacher");
  }

  @Test
  void lostStatusIsRebuiltFromTheOwnedJobsWithoutRerunningAStep() throws Exception {
    create(Runs.run("fmnist"));
    harness.reconcile("fmnist");
    harness.cluster.completeJob(NS, "fmnist-teacher");
    harness.reconcile("fmnist");
    // An operator that created infer's Job but died before its status write was stored.
    SemiSupervisedRun run = harness.run("fmnist");
    run.getStatus().getStages().forEach(s -> {
      if (s.getName().equals("infer")) {
        s.setPhase(StagePhase.Pending);
        s.setAttempts(0);
      }
    });
    harness.cluster.client().resource(run).updateStatus();

    harness.reconcile("fmnist");

    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-infer", "fmnist-teacher");
    assertThat(stage("fmnist", "infer").getPhase()).isEqualTo(StagePhase.Running);
    assertThat(stage("fmnist", "infer").getAttempts()).isEqualTo(1);
    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Succeeded);
  }

  @Test
  void aJobThatAlreadyExistsIsTakenAsCreated() throws Exception {
    SemiSupervisedRun created = create(Runs.run("fmnist"));
    Job existing = dev.semisup.operator.jobs.StageJobFactory.jobFor(created, created.getSpec(),
        StagePlan.of(created.getSpec()).require("teacher"), 1);
    harness.cluster.client().resource(existing).create();
    // The reconciler's view of Jobs is stale: it does not see the one just made and gets a 409.
    harness.reconcile("fmnist");
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-teacher");
    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Running);
  }

  @Test
  void aJobFailedForGoodFailsTheRunWithThePodsMessage() throws Exception {
    create(Runs.run("fmnist"));
    harness.reconcile("fmnist");
    harness.cluster.failJob(NS, "fmnist-teacher", "cannot read s3://data/train-images-idx3-ubyte.gz: NoSuchKey");

    UpdateControl<SemiSupervisedRun> control = harness.reconcile("fmnist");

    SemiSupervisedRun run = harness.run("fmnist");
    assertThat(run.getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Failed);
    assertThat(stage("fmnist", "teacher").getMessage()).contains("NoSuchKey");
    Condition failed = condition("fmnist", Conditions.FAILED);
    assertThat(failed.getStatus()).isEqualTo("True");
    assertThat(failed.getReason()).isEqualTo("StepFailed");
    assertThat(failed.getMessage()).contains("teacher", "fmnist-teacher", "cannot read s3://data/train-images-idx3-ubyte.gz");
    assertThat(harness.eventReasons("Warning")).containsExactly("StepFailed");
    assertThat(control.getScheduleDelay()).isEmpty();
    assertReconcileWritesNothing("fmnist");
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-teacher");
  }

  @Test
  void withoutAPodTheJobsConditionIsTheMessage() throws Exception {
    create(Runs.run("fmnist"));
    harness.reconcile("fmnist");
    harness.cluster.failJob(NS, "fmnist-teacher", null);
    harness.reconcile("fmnist");
    assertThat(condition("fmnist", Conditions.FAILED).getMessage())
        .contains("BackoffLimitExceeded: Job has reached the specified backoff limit");
  }

  @Test
  void aNewRetryAnnotationRetriesTheFailedStepOnly() throws Exception {
    SemiSupervisedRun run = Runs.run("fmnist");
    run.getMetadata().setAnnotations(Map.of(SemiSupervisedRun.RETRY_ANNOTATION, "before-the-failure"));
    create(run);
    harness.reconcile("fmnist");
    harness.cluster.completeJob(NS, "fmnist-teacher");
    harness.reconcile("fmnist");
    harness.cluster.failJob(NS, "fmnist-infer", "shard 1: out of memory");
    harness.reconcile("fmnist");
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    // An annotation value set before the failure does not retry.
    harness.reconcile("fmnist");
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-infer", "fmnist-teacher");

    harness.cluster.edit(NS, "fmnist", r -> {
      r.getMetadata().getAnnotations().put(SemiSupervisedRun.RETRY_ANNOTATION, "1");
      return r;
    });
    harness.reconcile("fmnist");

    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-infer", "fmnist-infer-a2", "fmnist-teacher");
    SemiSupervisedRun retried = harness.run("fmnist");
    assertThat(retried.getStatus().getPhase()).isEqualTo(RunPhase.Running);
    assertThat(retried.getStatus().getHandledRetry()).isEqualTo("1");
    assertThat(stage("fmnist", "infer").getAttempts()).isEqualTo(2);
    assertThat(stage("fmnist", "infer").getJobName()).isEqualTo("fmnist-infer-a2");
    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Succeeded);
    assertThat(condition("fmnist", Conditions.FAILED).getStatus()).isEqualTo("False");

    harness.reconcile("fmnist");
    assertThat(harness.jobNames("fmnist")).hasSize(3);
    harness.cluster.completeJob(NS, "fmnist-infer-a2");
    harness.reconcile("fmnist");
    assertThat(harness.jobNames("fmnist")).contains("fmnist-select");
  }

  @Test
  void suspendStopsNewStepsAndResumeContinues() throws Exception {
    create(Runs.run("fmnist"));
    harness.reconcile("fmnist");
    harness.cluster.edit(NS, "fmnist", r -> {
      r.getSpec().setSuspend(true);
      return r;
    });
    harness.reconcile("fmnist");
    // The running step finishes; the run says it will stop after it.
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Running);
    assertThat(condition("fmnist", Conditions.SUSPENDED).getStatus()).isEqualTo("True");

    harness.cluster.completeJob(NS, "fmnist-teacher");
    UpdateControl<SemiSupervisedRun> suspended = harness.reconcile("fmnist");
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-teacher");
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Suspended);
    assertThat(condition("fmnist", Conditions.SUSPENDED).getMessage()).contains("infer");
    assertThat(suspended.getScheduleDelay()).isEmpty();

    harness.cluster.edit(NS, "fmnist", r -> {
      r.getSpec().setSuspend(false);
      return r;
    });
    harness.reconcile("fmnist");
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-infer", "fmnist-teacher");
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Running);
    assertThat(condition("fmnist", Conditions.SUSPENDED).getStatus()).isEqualTo("False");
  }

  @Test
  void anInvalidSpecFailsOnceNamingEveryFieldAndStartsNothing() throws Exception {
    SemiSupervisedRun run = Runs.run("broken");
    run.getSpec().getSampling().setTopK(0);
    run.getSpec().getStorage().setCredentialsSecret(null);
    run.getSpec().getTeacher().setArchitecture("vgg");
    harness.cluster.create(run);

    UpdateControl<SemiSupervisedRun> control = harness.reconcile("broken");

    SemiSupervisedRun failed = harness.run("broken");
    assertThat(failed.getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    Condition invalid = condition("broken", Conditions.INVALID_SPEC);
    assertThat(invalid.getStatus()).isEqualTo("True");
    assertThat(invalid.getMessage()).contains("spec.sampling.topK", "spec.storage.credentialsSecret",
        "spec.teacher.architecture");
    assertThat(condition("broken", Conditions.FAILED).getReason()).isEqualTo("InvalidSpec");
    assertThat(harness.jobs("broken")).isEmpty();
    assertThat(harness.eventReasons("Warning")).containsExactly("InvalidSpec");
    assertThat(control.getScheduleDelay()).isEmpty();

    assertReconcileWritesNothing("broken");
    assertThat(harness.eventReasons("Warning")).hasSize(1);

    harness.cluster.edit(NS, "broken", r -> {
      r.getSpec().getSampling().setTopK(10);
      r.getSpec().getStorage().setCredentialsSecret(Runs.SECRET);
      r.getSpec().getTeacher().setArchitecture("cnn-large");
      return r;
    });
    harness.reconcile("broken"); // accepted: Pending with its plan
    assertThat(harness.run("broken").getStatus().getPhase()).isEqualTo(RunPhase.Pending);
    assertThat(harness.run("broken").getStatus().getStages()).hasSize(6);
    harness.reconcile("broken");
    assertThat(harness.run("broken").getStatus().getPhase()).isEqualTo(RunPhase.Running);
    assertThat(condition("broken", Conditions.INVALID_SPEC).getStatus()).isEqualTo("False");
    assertThat(harness.jobNames("broken")).containsExactly("broken-teacher");
  }

  @Test
  void aJobTheApiServerRefusesFailsTheRunWithItsWords() throws Exception {
    harness.cluster.rejectJobsIn("strict", "Job.batch \"odd-teacher\" is invalid: spec.template.spec.nodeSelector: "
        + "Invalid value: \"-gpu\": name part must consist of alphanumeric characters");
    SemiSupervisedRun run = Runs.run("odd");
    run.getMetadata().setNamespace("strict");
    run.getSpec().getResources().setNodeSelector(Map.of("-gpu", "yes"));
    harness.cluster.credentialsSecret("strict", Runs.SECRET, "access", "secret");
    create(run);

    UpdateControl<SemiSupervisedRun> control = harness.reconcile("strict", "odd");

    SemiSupervisedRun failed = harness.cluster.get("strict", "odd");
    assertThat(failed.getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    Condition condition = Conditions.find(failed.getStatus().getConditions(), Conditions.FAILED).orElseThrow();
    assertThat(condition.getMessage()).contains("Job odd-teacher was rejected by the API server", "nodeSelector");
    assertThat(control.getScheduleDelay()).isEmpty();
  }

  @Test
  void noJobStartsBeforeTheCredentialsSecretExists() throws Exception {
    harness.cluster.client().secrets().inNamespace(NS).withName(Runs.SECRET).delete();
    create(Runs.run("fmnist"));

    UpdateControl<SemiSupervisedRun> control = harness.reconcile("fmnist");
    harness.reconcile("fmnist");

    assertThat(harness.jobs("fmnist")).isEmpty();
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Pending);
    Condition ready = condition("fmnist", Conditions.READY);
    assertThat(ready.getReason()).isEqualTo("SecretNotFound");
    assertThat(ready.getMessage()).contains("ml/s3-credentials", "spec.storage.credentialsSecret");
    assertThat(control.getScheduleDelay()).contains(10_000L);
    assertThat(harness.eventReasons("Warning")).containsExactly("SecretNotFound");

    harness.cluster.credentialsSecret(NS, Runs.SECRET, "access", "secret");
    harness.reconcile("fmnist");
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-teacher");
    assertThat(condition("fmnist", Conditions.STORAGE_REACHABLE).getStatus()).isEqualTo("True");
  }

  @Test
  void aTeacherCheckpointSkipsTheTeacherStep() throws Exception {
    SemiSupervisedRun run = Runs.run("fromckpt");
    run.getSpec().getTeacher().setCheckpoint("s3://models/teacher.params");
    create(run);
    harness.reconcile("fromckpt");
    assertThat(harness.jobNames("fromckpt")).containsExactly("fromckpt-infer");
    assertThat(harness.run("fromckpt").getStatus().getStages()).extracting(StageStatus::getName)
        .containsExactly("infer", "select", "pack", "student", "finetune");
  }

  @Test
  void progressOfARunningStepIsMirroredAndStorageOutagesAreReported() throws Exception {
    create(Runs.run("fmnist"));
    var plan = StagePlan.of(Runs.spec());
    harness.artifacts.put(layout.progress(plan.require("teacher")),
        new StageProgress("teacher", 0, 1, 2, 5, 40, 100, 1234.56, 0.7, 95L, "2026-11-28T17:00:00Z"));
    harness.reconcile("fmnist"); // starts the teacher
    harness.reconcile("fmnist"); // looks at it
    StageStatus teacher = stage("fmnist", "teacher");
    assertThat(teacher.getProgress()).isEqualTo("epoch 2/5 40%");
    assertThat(teacher.getImagesPerSecond()).isEqualTo(1234.6);
    assertThat(teacher.getEtaSeconds()).isEqualTo(95L);
    assertThat(harness.run("fmnist").getStatus().getProgress()).isEqualTo("epoch 2/5 40%");
    assertThat(condition("fmnist", Conditions.STORAGE_REACHABLE).getStatus()).isEqualTo("True");

    harness.artifacts.down(true);
    harness.reconcile("fmnist");
    Condition storage = condition("fmnist", Conditions.STORAGE_REACHABLE);
    assertThat(storage.getStatus()).isEqualTo("False");
    assertThat(storage.getReason()).isEqualTo("ConnectionFailed");
    assertThat(storage.getMessage()).contains("spec.storage.endpoint");
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Running);

    harness.artifacts.down(false);
    harness.cluster.completeJob(NS, "fmnist-teacher");
    harness.artifacts.put(layout.shardProgress(plan.require("infer"), 0),
        new StageProgress("infer", 0, 2, 0, 0, 300, 500, 2000, null, 10L, "2026-11-28T17:01:00Z"));
    harness.artifacts.put(layout.shardProgress(plan.require("infer"), 1),
        new StageProgress("infer", 1, 2, 0, 0, 100, 500, 1500, null, 30L, "2026-11-28T17:01:00Z"));
    harness.reconcile("fmnist");
    harness.reconcile("fmnist");
    StageStatus infer = stage("fmnist", "infer");
    assertThat(infer.getShardsTotal()).isEqualTo(2);
    assertThat(infer.getShardsDone()).isEqualTo(0);
    assertThat(infer.getImagesPerSecond()).isEqualTo(3500.0);
    assertThat(infer.getEtaSeconds()).isEqualTo(30L);
    assertThat(infer.getProgress()).isEqualTo("0/2 shards 40%");
    assertThat(condition("fmnist", Conditions.STORAGE_REACHABLE).getStatus()).isEqualTo("True");
  }

  @Test
  void editsOfFixedSpecPartsAreReportedAndIgnored() throws Exception {
    create(Runs.run("fmnist"));
    harness.reconcile("fmnist");
    harness.cluster.edit(NS, "fmnist", r -> {
      r.getSpec().getSampling().setShards(8);
      r.getSpec().getResources().setImage("registry.local/worker:2");
      return r;
    });
    harness.reconcile("fmnist");
    Condition ignored = condition("fmnist", Conditions.SPEC_CHANGE_IGNORED);
    assertThat(ignored.getStatus()).isEqualTo("True");
    assertThat(ignored.getMessage()).contains("spec.sampling").doesNotContain("spec.resources");

    harness.cluster.completeJob(NS, "fmnist-teacher");
    harness.reconcile("fmnist");
    Job infer = harness.cluster.job(NS, "fmnist-infer");
    assertThat(infer.getSpec().getCompletions()).isEqualTo(2);
    assertThat(infer.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("registry.local/worker:2");
    assertThat(stage("fmnist", "infer").getShardsTotal()).isEqualTo(2);
  }
}
