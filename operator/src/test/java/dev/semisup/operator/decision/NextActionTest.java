package dev.semisup.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.jobs.JobState;
import dev.semisup.operator.jobs.JobState.Outcome;
import dev.semisup.operator.observer.ObservedJob;
import dev.semisup.operator.observer.RunObservation;
import dev.semisup.operator.observer.StorageUnreachableException;
import dev.semisup.operator.observer.StoreAccess;
import dev.semisup.operator.observer.StoreFault;
import dev.semisup.operator.status.Reason;
import dev.semisup.operator.testing.Runs;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One test per row of {@link NextAction}'s table, in its order. */
class NextActionTest {

  private static final RunMarker SELF = new RunMarker("ml", "fmnist", "uid-1");
  private final StagePlan plan = StagePlan.of(Runs.spec());
  private final List<StageStatus> stages = plan.steps().stream()
      .map(step -> {
        StageStatus stage = new StageStatus(step.id(), StagePhase.Pending);
        stage.setAttempts(0);
        return stage;
      }).toList();
  private Optional<String> refusal = Optional.empty();
  private boolean firstAcceptance;
  private boolean suspend;
  private String retryValue;
  private String handledRetry;
  private boolean reuse;
  private String prefix = "runs/ml/fmnist";
  private java.util.Map<String, Integer> groupRestartLimits = java.util.Map.of();
  private final RunObservation.Builder seen = RunObservation.builder();

  private Action decide() {
    return NextAction.decide(view(), seen.build());
  }

  private RunView view() {
    return RunView.builder(plan, stages, SELF, prefix).refusal(refusal)
        .firstAcceptance(firstAcceptance).suspend(suspend).retry(retryValue, handledRetry).reuseArtifacts(reuse)
        .groupRestartLimits(groupRestartLimits).build();
  }

  private StageStatus stage(String step, StagePhase phase, int attempts) {
    StageStatus stage = stages.stream().filter(s -> s.getName().equals(step)).findFirst().orElseThrow();
    stage.setPhase(phase);
    stage.setAttempts(attempts);
    stage.setJobName(attempts == 0 ? null : "fmnist-" + step + (attempts > 1 ? "-a" + attempts : ""));
    return stage;
  }

  private static ObservedJob job(String step, int attempt, Outcome outcome) {
    JobState state = new JobState(outcome, 0, outcome == Outcome.FAILED ? "BackoffLimitExceeded" : null,
        outcome == Outcome.FAILED ? "Job has reached the specified backoff limit" : null);
    return new ObservedJob("fmnist-" + step + (attempt > 1 ? "-a" + attempt : ""), step, attempt, state,
        "2026-11-29T20:00:00Z", null);
  }

  private void teacherDone() {
    stage("teacher", StagePhase.Succeeded, 1);
  }

  @Test
  void r2_aValueOutsideThePolicyRefusesTheRun() {
    refusal = Optional.of("spec.resources.image evil:latest is not allowed");
    assertThat(decide()).isEqualTo(new Action.Refuse(Reason.NOT_ALLOWED, refusal.get()));
  }

  @Test
  void r3_aPrefixOutsideTheNamespaceIsRefused() {
    prefix = "runs/prod/fmnist";
    assertThat(decide()).isInstanceOfSatisfying(Action.Refuse.class, refuse -> {
      assertThat(refuse.reason()).isEqualTo(Reason.PREFIX_OUTSIDE_NAMESPACE);
      assertThat(refuse.message()).contains("spec.storage.prefix", "runs/prod/fmnist", "runs/ml/");
    });
    prefix = "runs/ml";
    assertThat(decide()).isInstanceOf(Action.Refuse.class);
    prefix = "runs/mlx/fmnist";
    assertThat(decide()).isInstanceOf(Action.Refuse.class);
  }

  @Test
  void r4_aPrefixHoldingAnotherRunsMarkerIsRefused() {
    seen.marker(new RunMarker("ml", "fmnist", "uid-of-a-deleted-run"));
    assertThat(decide()).isInstanceOfSatisfying(Action.Refuse.class, refuse -> {
      assertThat(refuse.reason()).isEqualTo(Reason.PREFIX_OWNED_BY_ANOTHER_RUN);
      assertThat(refuse.message()).contains("uid-of-a-deleted-run", "spec.storage.reuseArtifacts");
    });
    reuse = true;
    assertThat(decide()).as("reuse of a same-name run's artifacts, asked for").isInstanceOf(Action.CreateJob.class);
    seen.marker(new RunMarker("ml", "other-run", "uid-2"));
    assertThat(decide()).as("reuse never extends to another name").isInstanceOf(Action.Refuse.class);
    seen.marker(RunMarker.local("fmnist"));
    assertThat(decide()).as("a local run's prefix").isInstanceOf(Action.Refuse.class);
    seen.marker(SELF);
    reuse = false;
    assertThat(decide()).as("its own marker").isInstanceOf(Action.CreateJob.class);
  }

  @Test
  void r5_firstSightAcceptsWithoutAJob() {
    firstAcceptance = true;
    assertThat(decide()).isEqualTo(new Action.Accept(plan.steps().get(0), plan.steps().size()));
    seen.job(job("teacher", 1, Outcome.RUNNING));
    assertThat(decide()).as("an operator that made the Job before it recorded the acceptance")
        .isInstanceOf(Action.Adopt.class);
  }

  @Test
  void r6_anOwnJobOfALaterAttemptIsAdopted() {
    teacherDone();
    stage("infer", StagePhase.Failed, 1);
    seen.job(job("infer", 1, Outcome.FAILED)).job(job("infer", 2, Outcome.RUNNING));
    assertThat(decide()).isEqualTo(new Action.Adopt(plan.require("infer"), job("infer", 2, Outcome.RUNNING)));
  }

  @Test
  void r7_succeededStepsArePassed() {
    teacherDone();
    seen.job(job("teacher", 1, Outcome.SUCCEEDED));
    assertThat(decide()).isEqualTo(new Action.CreateJob(plan.require("infer"), 1));
  }

  @Test
  void r8_aNewRetryValueRetriesTheFailedStep() {
    teacherDone();
    stage("infer", StagePhase.Failed, 1);
    seen.job(job("infer", 1, Outcome.FAILED));
    handledRetry = "1";
    retryValue = "2";
    assertThat(decide()).isEqualTo(new Action.Retry(plan.require("infer"), "2"));
  }

  @Test
  void r9_aFailedStepStaysFailedWithoutANewRetryValue() {
    teacherDone();
    stage("infer", StagePhase.Failed, 1);
    seen.job(job("infer", 1, Outcome.FAILED));
    retryValue = "1";
    handledRetry = "1";
    assertThat(decide()).isEqualTo(new Action.StayFailed(plan.require("infer")));
  }

  @Test
  void r10_suspendHoldsThePendingStep() {
    teacherDone();
    suspend = true;
    assertThat(decide()).isEqualTo(new Action.Suspend(plan.require("infer")));
  }

  @Test
  void r11_aMissingSecretHoldsThePendingStep() {
    seen.store(StoreAccess.failed(new StorageUnreachableException(StoreFault.SECRET_NOT_FOUND, "no Secret", null)));
    assertThat(decide()).isEqualTo(new Action.WaitForCredentials(plan.require("teacher")));
    seen.store(StoreAccess.failed(new StorageUnreachableException(StoreFault.CONNECTION_FAILED, "down", null)));
    assertThat(decide()).as("an unreachable store does not hold a step: the worker retries")
        .isEqualTo(new Action.CreateJob(plan.require("teacher"), 1));
  }

  @Test
  void r12_aPendingStepGetsTheNextAttemptsJob() {
    teacherDone();
    stage("infer", StagePhase.Pending, 1); // retried after its first attempt failed
    seen.job(job("infer", 1, Outcome.FAILED));
    assertThat(decide()).isEqualTo(new Action.CreateJob(plan.require("infer"), 2));
  }

  @Test
  void r13_aRecordedJobNameHeldByAnotherOwnerFailsTheStep() {
    stage("teacher", StagePhase.Running, 1);
    seen.foreign("fmnist-teacher");
    assertThat(decide()).isInstanceOfSatisfying(Action.FailStep.class, fail -> {
      assertThat(fail.reason()).isEqualTo(Reason.JOB_NAME_TAKEN);
      assertThat(fail.message()).contains("fmnist-teacher", "not this run");
    });
  }

  private static ObservedJob completionJob(String step, int attempt, Outcome outcome) {
    JobState state = new JobState(outcome, 0, outcome == Outcome.FAILED ? "PodFailurePolicy" : null,
        outcome == Outcome.FAILED ? "Container worker for pod ml/x failed with exit code 2" : null);
    return new ObservedJob("fmnist-" + step + (attempt > 1 ? "-a" + attempt : "") + "-done", step, attempt, state,
        "2026-11-29T20:00:00Z", null);
  }

  /** The student trains as a pod group, running at attempt 2; its trainer's Job succeeded. */
  private void groupTrainerDone() {
    groupRestartLimits = java.util.Map.of("student", 2);
    for (String step : List.of("teacher", "infer", "select", "pack")) {
      stage(step, StagePhase.Succeeded, 1);
    }
    stage("student", StagePhase.Running, 2);
    seen.job(job("student", 2, Outcome.SUCCEEDED));
  }

  @Test
  void r14_aPodGroupWhoseTrainerFinishedGetsItsCompletionJob() {
    groupTrainerDone();
    seen.completionJob(completionJob("student", 1, Outcome.SUCCEEDED));
    assertThat(decide()).as("the completion of an earlier attempt is not this one's")
        .isEqualTo(new Action.CreateCompletionJob(plan.require("student"), 2));

    RunObservation.Builder gone = RunObservation.builder().gone("fmnist-student-a2").doneInStore("student");
    assertThat(NextAction.decide(view(), gone.build())).as("its Job gone with its TTL, the trainer's _SUCCESS there")
        .isEqualTo(new Action.CreateCompletionJob(plan.require("student"), 2));
    groupRestartLimits = java.util.Map.of();
    assertThat(decide()).as("a step the worker trained has no completion Job")
        .isEqualTo(new Action.Complete(plan.require("student"), job("student", 2, Outcome.SUCCEEDED)));
  }

  @Test
  void r15_aPodGroupIsCompleteOnlyWhenItsCompletionJobSucceeded() {
    groupTrainerDone();
    seen.completionJob(completionJob("student", 2, Outcome.SUCCEEDED));
    assertThat(decide()).isEqualTo(new Action.Complete(plan.require("student"),
        completionJob("student", 2, Outcome.SUCCEEDED)));
  }

  @Test
  void r16_aFailedCompletionJobFailsTheStep() {
    groupTrainerDone();
    seen.completionJob(completionJob("student", 2, Outcome.FAILED));
    assertThat(decide()).isInstanceOfSatisfying(Action.FailStep.class, fail -> {
      assertThat(fail.step()).isEqualTo(plan.require("student"));
      assertThat(fail.reason()).isEqualTo(Reason.STEP_FAILED);
      assertThat(fail.job()).isEqualTo(completionJob("student", 2, Outcome.FAILED));
      assertThat(fail.message()).contains("fmnist-student-a2-done", "PodFailurePolicy");
    });
  }

  @Test
  void r17_aRunningCompletionJobIsAwaited() {
    groupTrainerDone();
    seen.completionJob(completionJob("student", 2, Outcome.RUNNING));
    assertThat(decide()).isEqualTo(new Action.AwaitCompletion(plan.require("student"),
        completionJob("student", 2, Outcome.RUNNING)));
  }

  @Test
  void r18_aGoneJobWhoseStepWroteSuccessCompletes() {
    stage("teacher", StagePhase.Running, 1);
    seen.gone("fmnist-teacher").doneInStore("teacher");
    assertThat(decide()).isEqualTo(new Action.Complete(plan.require("teacher"), null));
  }

  @Test
  void r19_aGoneJobWithoutSuccessFailsTheStepAsLost() {
    stage("teacher", StagePhase.Running, 1);
    seen.gone("fmnist-teacher");
    assertThat(decide()).isInstanceOfSatisfying(Action.FailStep.class, fail -> {
      assertThat(fail.reason()).isEqualTo(Reason.JOB_LOST);
      assertThat(fail.message()).contains("fmnist-teacher", "_SUCCESS");
    });
  }

  @Test
  void r20_aRecordedJobNotSeenIsCreatedAgainAtTheSameAttempt() {
    stage("teacher", StagePhase.Running, 1);
    assertThat(decide()).isEqualTo(new Action.CreateJob(plan.require("teacher"), 1));
  }

  @Test
  void r21_aSucceededJobCompletesItsStep() {
    stage("teacher", StagePhase.Running, 1);
    seen.job(job("teacher", 1, Outcome.SUCCEEDED));
    assertThat(decide()).isEqualTo(new Action.Complete(plan.require("teacher"), job("teacher", 1, Outcome.SUCCEEDED)));
  }

  private static ObservedJob failed(String step, int attempt, String reason) {
    JobState state = new JobState(Outcome.FAILED, 0, reason, "the Job failed");
    return new ObservedJob("fmnist-" + step + (attempt > 1 ? "-a" + attempt : ""), step, attempt, state,
        "2026-11-29T20:00:00Z", null);
  }

  @Test
  void r22_aPodGroupWhosePodFailedRestartsAsAWholeWhileRestartsAreLeft() {
    groupRestartLimits = java.util.Map.of("teacher", 2);
    stage("teacher", StagePhase.Running, 1);
    seen.job(failed("teacher", 1, "BackoffLimitExceeded"));
    assertThat(decide()).isEqualTo(new Action.RestartGroup(plan.require("teacher"),
        failed("teacher", 1, "BackoffLimitExceeded"), 1, 2));
    groupRestartLimits = java.util.Map.of();
    assertThat(decide()).as("a single-pod step used its retries inside its Job").isInstanceOf(Action.FailStep.class);
    groupRestartLimits = java.util.Map.of("teacher", 2);
    seen.job(failed("teacher", 1, "PodFailurePolicy"));
    assertThat(decide()).as("exit 2: bad input, not restarted").isInstanceOf(Action.FailStep.class);
    seen.job(failed("teacher", 1, "DeadlineExceeded"));
    assertThat(decide()).as("the step deadline covers every restart").isInstanceOf(Action.FailStep.class);
    stage("teacher", StagePhase.Running, 3).setGroupRestarts(2);
    seen.job(failed("teacher", 3, "BackoffLimitExceeded"));
    assertThat(decide()).as("no restarts left").isInstanceOfSatisfying(Action.FailStep.class,
        fail -> assertThat(fail.reason()).isEqualTo(Reason.STEP_FAILED));
    stage("teacher", StagePhase.Running, 3).setGroupRestarts(1);
    assertThat(decide()).isEqualTo(new Action.RestartGroup(plan.require("teacher"),
        failed("teacher", 3, "BackoffLimitExceeded"), 2, 2));
  }

  @Test
  void r23_aFailedJobFailsItsStep() {
    stage("teacher", StagePhase.Running, 1);
    seen.job(job("teacher", 1, Outcome.FAILED));
    assertThat(decide()).isInstanceOfSatisfying(Action.FailStep.class, fail -> {
      assertThat(fail.reason()).isEqualTo(Reason.STEP_FAILED);
      assertThat(fail.job()).isEqualTo(job("teacher", 1, Outcome.FAILED));
      assertThat(fail.message()).contains("BackoffLimitExceeded");
    });
  }

  @Test
  void r24_aRunningJobIsWatched() {
    teacherDone();
    stage("infer", StagePhase.Running, 1);
    seen.job(job("infer", 1, Outcome.RUNNING));
    assertThat(decide()).isEqualTo(new Action.Watch(plan.require("infer"), job("infer", 1, Outcome.RUNNING)));
  }

  @Test
  void r25_everyStepDoneFinishes() {
    for (StageStatus stage : stages) {
      stage.setPhase(StagePhase.Succeeded);
    }
    assertThat(decide()).isEqualTo(new Action.Finish(plan.last()));
  }

  @Test
  void onlyAdoptCompleteRetryAndRestartGroupLeaveTheReconcileOpen() {
    assertThat(new Action.CreateCompletionJob(null, 1).settles()).isTrue();
    assertThat(new Action.AwaitCompletion(null, null).settles()).isTrue();
    assertThat(new Action.Adopt(null, null).settles()).isFalse();
    assertThat(new Action.Complete(null, null).settles()).isFalse();
    assertThat(new Action.Retry(null, "1").settles()).isFalse();
    assertThat(new Action.RestartGroup(null, null, 1, 1).settles()).isFalse();
    assertThat(new Action.Watch(null, null).settles()).isTrue();
    assertThat(new Action.CreateJob(null, 1).settles()).isTrue();
  }
}
