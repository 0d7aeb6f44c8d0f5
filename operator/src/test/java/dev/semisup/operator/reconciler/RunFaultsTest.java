package dev.semisup.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.config.RunPolicy;
import dev.semisup.operator.jobs.StageJobFactory;
import dev.semisup.operator.status.Conditions;
import dev.semisup.operator.testing.ReconcilerHarness;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each test injects the fault it is named for, and checks what the run shows and that nothing is lost or reused. */
class RunFaultsTest {

  private static final String NS = Runs.NAMESPACE;
  private ReconcilerHarness harness = new ReconcilerHarness();
  private final ObjectLayout layout = new ObjectLayout("runs/ml/fmnist");
  private final StagePlan plan = StagePlan.of(Runs.spec());

  @AfterEach
  void close() {
    harness.close();
  }

  /** Creates the run and lets the operator accept it and start its first step. */
  private SemiSupervisedRun started(SemiSupervisedRun run) throws Exception {
    SemiSupervisedRun created = harness.cluster.create(run);
    harness.reconcile(run.getMetadata().getName());
    harness.reconcile(run.getMetadata().getName());
    return created;
  }

  private Condition condition(String run, String type) {
    return Conditions.find(harness.run(run).getStatus().getConditions(), type).orElseThrow(
        () -> new AssertionError("no condition " + type + " in " + harness.run(run).getStatus().getConditions()));
  }

  private StageStatus stage(String run, String step) {
    return harness.run(run).getStatus().getStages().stream().filter(s -> s.getName().equals(step)).findFirst()
        .orElseThrow();
  }

  private Job jobOwnedBy(SemiSupervisedRun owner, String step) {
    return StageJobFactory.jobFor(owner, owner.getSpec(), plan.require(step), 1);
  }

  @Test
  void aLeftoverJobOfADeletedRunWithTheSameNameIsNeverAdopted() throws Exception {
    SemiSupervisedRun deleted = Runs.run("fmnist");
    deleted.setApiVersion("semisup.dev/v1alpha1");
    deleted.setKind("SemiSupervisedRun");
    deleted.getMetadata().setUid("uid-of-the-deleted-run");
    // Garbage collection has not removed it yet; the informer maps it to the new run by name.
    harness.cluster.client().resource(jobOwnedBy(deleted, "teacher")).create();
    harness.cluster.create(Runs.run("fmnist"));

    harness.reconcile("fmnist"); // accepted
    harness.reconcile("fmnist"); // its create meets the leftover: 409

    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Failed);
    Condition failed = condition("fmnist", Conditions.FAILED);
    assertThat(failed.getReason()).isEqualTo("JobNameTaken");
    assertThat(failed.getMessage()).contains("fmnist-teacher", "uid-of-the-deleted-run", "not adopted");
    assertThat(harness.cluster.job(NS, "fmnist-teacher").getMetadata().getOwnerReferences().get(0).getUid())
        .isEqualTo("uid-of-the-deleted-run");
    assertThat(harness.eventReasons("Normal")).doesNotContain("StepStarted");
  }

  @Test
  void a409FromAStaleCacheAdoptsTheRunsOwnJobOnce() throws Exception {
    SemiSupervisedRun created = harness.cluster.create(Runs.run("fmnist"));
    harness.reconcile("fmnist"); // accepted
    harness.holdCaches(NS);
    // Made by an earlier reconcile whose watch event has not reached the cache.
    harness.cluster.client().resource(jobOwnedBy(created, "teacher")).create();

    harness.reconcile("fmnist");

    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-teacher");
    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Running);
    assertThat(stage("fmnist", "teacher").getAttempts()).isEqualTo(1);
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Running);
    // The reconcile that made it never wrote its status, so it announced nothing: this one does, once.
    assertThat(harness.eventReasons("Normal")).containsExactly("StepStarted");
    harness.reconcile("fmnist");
    assertThat(harness.eventReasons("Normal")).containsExactly("StepStarted");
  }

  @Test
  void anOperatorKilledBetweenJobCreateAndStatusWriteNeitherRerunsNorDuplicates() throws Exception {
    started(Runs.run("fmnist"));
    harness.cluster.completeJob(NS, "fmnist-teacher");
    harness.killBeforeNextStatusWrite();

    assertThatThrownBy(() -> harness.reconcile("fmnist")).isInstanceOf(ReconcilerHarness.OperatorKilled.class);
    assertThat(harness.jobNames("fmnist")).as("infer's Job was made before the kill").contains("fmnist-infer");
    assertThat(stage("fmnist", "infer").getPhase()).as("but the status never said so").isEqualTo(StagePhase.Pending);

    // A new operator process: the cache is synced from the API server, the status is as written.
    harness.reconcile("fmnist");

    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-infer", "fmnist-teacher");
    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Succeeded);
    assertThat(stage("fmnist", "infer").getPhase()).isEqualTo(StagePhase.Running);
    assertThat(stage("fmnist", "infer").getAttempts()).isEqualTo(1);
    assertThat(stage("fmnist", "infer").getJobName()).isEqualTo("fmnist-infer");
  }

  @Test
  void aStatusWriteRefusedWith409SendsNoEventAndTheNextReconcileSendsEachOnce() throws Exception {
    started(Runs.run("fmnist"));
    harness.cluster.completeJob(NS, "fmnist-teacher");
    harness.conflictOnNextStatusWrite();

    harness.reconcile("fmnist");

    assertThat(stage("fmnist", "teacher").getPhase()).as("the 409 left the status as it was")
        .isEqualTo(StagePhase.Running);
    assertThat(harness.eventReasons("Normal")).as("events of a status that was never written")
        .containsExactly("StepStarted");

    harness.reconcile("fmnist");

    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Succeeded);
    assertThat(stage("fmnist", "infer").getPhase()).isEqualTo(StagePhase.Running);
    assertThat(harness.eventReasons("Normal")).containsExactlyInAnyOrder("StepStarted", "StepSucceeded",
        "StepStarted");
    assertThat(harness.events()).allSatisfy(event -> assertThat(event.getCount()).isEqualTo(1));
  }

  @Test
  void aJobDeletedBeforeItsOutcomeWasReadFailsTheStepAsLost() throws Exception {
    started(Runs.run("fmnist"));
    harness.cluster.client().batch().v1().jobs().inNamespace(NS).withName("fmnist-teacher").delete();

    harness.reconcile("fmnist");

    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    Condition failed = condition("fmnist", Conditions.FAILED);
    assertThat(failed.getReason()).isEqualTo("JobLost");
    assertThat(failed.getMessage()).contains("fmnist-teacher", "_SUCCESS");
    assertThat(harness.jobs("fmnist")).as("not silently re-run").isEmpty();
  }

  @Test
  void aJobRemovedByItsTtlAfterSuccessCountsAsSucceededByTheStepsSuccessMarker() throws Exception {
    started(Runs.run("fmnist"));
    harness.cluster.completeJob(NS, "fmnist-teacher");
    harness.artifacts.put(layout.success(plan.require("teacher")), "");
    // The TTL controller deletes the finished Job before the operator read its outcome.
    harness.holdCaches(NS);
    harness.cluster.client().batch().v1().jobs().inNamespace(NS).withName("fmnist-teacher").delete();
    harness.holdCaches(NS);

    harness.reconcile("fmnist");

    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Succeeded);
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-infer");
    assertThat(stage("fmnist", "infer").getPhase()).isEqualTo(StagePhase.Running);
  }

  @Test
  void aRecreatedRunOfTheSameNameNeverReusesTheFirstRunsArtifacts() throws Exception {
    // The first run's worker wrote its marker; the run was deleted; the new one has another UID.
    harness.artifacts.put(layout.runMarker(), new RunMarker(NS, "fmnist", "uid-of-the-first-run"));
    harness.cluster.create(Runs.run("fmnist"));

    harness.reconcile("fmnist");
    harness.reconcile("fmnist");

    assertThat(harness.jobs("fmnist")).isEmpty();
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    Condition failed = condition("fmnist", Conditions.FAILED);
    assertThat(failed.getReason()).isEqualTo("PrefixOwnedByAnotherRun");
    assertThat(failed.getMessage()).contains("runs/ml/fmnist", "uid-of-the-first-run", "reuseArtifacts");
    assertThat(harness.eventReasons("Warning")).containsExactly("PrefixOwnedByAnotherRun");

    harness.cluster.edit(NS, "fmnist", r -> {
      r.getSpec().getStorage().setReuseArtifacts(true);
      return r;
    });
    harness.reconcile("fmnist");
    // storage is a fixed part: the edit is reported, not applied; the refusal stands.
    assertThat(harness.jobs("fmnist")).isEmpty();
  }

  @Test
  void aRunThatAsksToReuseItsNamesArtifactsStarts() throws Exception {
    harness.artifacts.put(layout.runMarker(), new RunMarker(NS, "fmnist", "uid-of-the-first-run"));
    SemiSupervisedRun run = Runs.run("fmnist");
    run.getSpec().getStorage().setReuseArtifacts(true);
    started(run);
    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-teacher");
  }

  @Test
  void twoRunsOnOnePrefixTheSecondIsRefused() throws Exception {
    SemiSupervisedRun first = started(Runs.run("first"));
    // The first run's worker writes its marker at the shared prefix.
    harness.artifacts.put(new ObjectLayout("runs/ml/shared").runMarker(),
        new RunMarker(NS, "first", first.getMetadata().getUid()));
    SemiSupervisedRun second = Runs.run("second");
    second.getSpec().getStorage().setPrefix("runs/ml/shared");
    harness.cluster.create(second);

    harness.reconcile("second");
    harness.reconcile("second");

    assertThat(harness.jobs("second")).isEmpty();
    assertThat(condition("second", Conditions.FAILED).getReason()).isEqualTo("PrefixOwnedByAnotherRun");
    assertThat(condition("second", Conditions.FAILED).getMessage()).contains("ml/first");
  }

  @Test
  void aPrefixOutsideTheRunsNamespaceIsRefusedBeforeAnyJob() throws Exception {
    SemiSupervisedRun run = Runs.run("sneaky");
    run.getSpec().getStorage().setPrefix("runs/prod/fmnist");
    harness.cluster.create(run);
    harness.reconcile("sneaky");
    assertThat(harness.jobs("sneaky")).isEmpty();
    assertThat(condition("sneaky", Conditions.FAILED).getReason()).isEqualTo("PrefixOutsideNamespace");
    assertThat(condition("sneaky", Conditions.FAILED).getMessage()).contains("spec.storage.prefix", "runs/ml/");
  }

  @Test
  void anImageOutsideTheAllowlistIsRefusedBeforeAnyJob() throws Exception {
    harness.close();
    harness = new ReconcilerHarness(new RunPolicy(Set.of("ghcr.io/semisup/semisup-worker:*"), Set.of("semisup-worker"),
        Set.of("http://minio.storage:9000")), Clock.systemUTC());
    SemiSupervisedRun run = Runs.run("miner");
    run.getSpec().getResources().setImage("docker.io/evil/miner:1");
    run.getSpec().getResources().setServiceAccountName("admin");
    harness.cluster.create(run);
    harness.reconcile("miner");
    assertThat(harness.jobs("miner")).isEmpty();
    Condition failed = condition("miner", Conditions.FAILED);
    assertThat(failed.getReason()).isEqualTo("NotAllowed");
    assertThat(failed.getMessage()).contains("spec.resources.image docker.io/evil/miner:1",
        "spec.resources.serviceAccountName admin").doesNotContain("spec.storage.endpoint");

    started(Runs.run("fine"));
    assertThat(harness.jobNames("fine")).containsExactly("fine-teacher");
  }

  @Test
  void anUnschedulablePodIsReportedWhileItsJobWaits() throws Exception {
    started(Runs.run("fmnist"));
    harness.cluster.unschedulablePod(NS, "fmnist-teacher", "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");

    harness.reconcile("fmnist");

    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Running);
    Condition progressing = condition("fmnist", Conditions.PROGRESSING);
    assertThat(progressing.getStatus()).isEqualTo("False");
    assertThat(progressing.getReason()).isEqualTo("Unschedulable");
    assertThat(progressing.getMessage()).contains("teacher", "Insufficient nvidia.com/gpu");
  }

  @Test
  void anImageThatCannotBePulledIsReported() throws Exception {
    started(Runs.run("fmnist"));
    harness.cluster.imagePullFailingPod(NS, "fmnist-teacher", "registry.local/semisup-worker:typo",
        "Back-off pulling image registry.local/semisup-worker:typo");
    harness.reconcile("fmnist");
    Condition progressing = condition("fmnist", Conditions.PROGRESSING);
    assertThat(progressing.getReason()).isEqualTo("ImagePullBackOff");
    assertThat(progressing.getMessage()).contains("registry.local/semisup-worker:typo");
  }

  @Test
  void aJobWithoutAnyPodPastTheBoundIsReported() throws Exception {
    harness.close();
    // The operator's clock is ten minutes ahead of the Job's creation: past the 120 s bound.
    harness = new ReconcilerHarness(RunPolicy.OPEN, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)));
    started(Runs.run("fmnist"));
    harness.reconcile("fmnist");
    Condition progressing = condition("fmnist", Conditions.PROGRESSING);
    assertThat(progressing.getReason()).isEqualTo("PodsNotCreated");
    assertThat(progressing.getMessage()).contains("fmnist-teacher", "kubectl describe job");
  }

  @Test
  void theJobControllersFailureReasonsFailTheStep() throws Exception {
    for (String reason : new String[] {"DeadlineExceeded", "FailedIndexes", "PodFailurePolicy"}) {
      String name = "r-" + reason.toLowerCase();
      started(Runs.run(name));
      harness.cluster.failJob(NS, name + "-teacher", reason, "the Job controller's words for " + reason, null);
      harness.reconcile(name);
      assertThat(harness.run(name).getStatus().getPhase()).isEqualTo(RunPhase.Failed);
      assertThat(condition(name, Conditions.FAILED).getMessage()).contains(reason + ": the Job controller's words");
    }
  }

  @Test
  void storeErrorTextNeverReachesTheStatus() throws Exception {
    started(Runs.run("fmnist"));
    harness.artifacts.down(true);
    harness.reconcile("fmnist");
    Condition storage = condition("fmnist", Conditions.STORAGE_REACHABLE);
    assertThat(storage.getStatus()).isEqualTo("False");
    assertThat(storage.getMessage()).contains("spec.storage.endpoint");
  }
}
