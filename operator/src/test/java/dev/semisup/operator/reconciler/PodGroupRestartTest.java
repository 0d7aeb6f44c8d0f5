package dev.semisup.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.api.v1alpha1.TrainerSpec;
import dev.semisup.operator.config.RunPolicy;
import dev.semisup.operator.status.Conditions;
import dev.semisup.operator.testing.ReconcilerHarness;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A torch-ddp student through the reconciler and the mock API server: its Indexed Job and headless
 * Service, a failed pod restarting the whole group as the next attempt, and exit 2 failing at once.
 * The test writes what the Job controller would: Failed with BackoffLimitExceeded when a pod
 * failed (backoffLimit 0), PodFailurePolicy when the FailJob rule for exit code 2 matched.
 */
class PodGroupRestartTest {

  private static final String NS = Runs.NAMESPACE;
  private ReconcilerHarness harness = new ReconcilerHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  /** Runs the steps before the student; the student's group is then made. */
  private void studentStarted() throws Exception {
    studentStarted(2);
  }

  private void studentStarted(int retries) throws Exception {
    SemiSupervisedRun run = Runs.run("fmnist");
    Runs.withTorchDdpStudent(run.getSpec(), 2, 8);
    run.getSpec().getResources().setRetries(retries);
    harness.cluster.create(run);
    harness.reconcile("fmnist");
    harness.reconcile("fmnist");
    for (String step : List.of("teacher", "infer", "select", "pack")) {
      harness.cluster.completeJob(NS, "fmnist-" + step);
      harness.reconcile("fmnist");
    }
    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Running);
  }

  private StageStatus stage(String step) {
    return harness.run("fmnist").getStatus().getStages().stream().filter(s -> s.getName().equals(step)).findFirst()
        .orElseThrow();
  }

  private Service service(String name) {
    return harness.cluster.client().services().inNamespace(NS).withName(name).get();
  }

  private static Map<String, String> env(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  private List<Event> warnings(String reason) {
    return harness.events().stream().filter(e -> reason.equals(e.getReason())).toList();
  }

  @Test
  void theStudentStartsAsAnIndexedJobOfOnePodPerNodeBehindAHeadlessService() throws Exception {
    studentStarted();

    Job job = harness.cluster.job(NS, "fmnist-student");
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(job.getSpec().getCompletions()).isEqualTo(2);
    assertThat(job.getSpec().getParallelism()).isEqualTo(2);
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(ReconcilerHarness.TRAINER_IMAGE);
    assertThat(env(job)).containsEntry("MASTER_ADDR", "fmnist-student-0.fmnist-student")
        .containsEntry("NNODES", "2").containsEntry("NPROC_PER_NODE", "8").containsEntry("MASTER_PORT", "29500");
    Service service = service("fmnist-student");
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
      assertThat(owner.getUid()).isEqualTo(harness.run("fmnist").getMetadata().getUid());
      assertThat(owner.getController()).isTrue();
    });
    assertThat(job.getSpec().getTemplate().getSpec().getSubdomain()).isEqualTo(service.getMetadata().getName());

    harness.reconcile("fmnist");
    assertThat(harness.jobNames("fmnist")).as("a repeated reconcile makes nothing new").hasSize(5);
  }

  @Test
  void aFailedPodRestartsTheWholeGroupAsTheNextAttemptUntilTheRetriesAreSpent() throws Exception {
    studentStarted();

    harness.cluster.failJob(NS, "fmnist-student", "rank 1: NCCL watchdog timeout");
    harness.reconcile("fmnist");

    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Running);
    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Running);
    assertThat(stage("student").getAttempts()).isEqualTo(2);
    assertThat(stage("student").getGroupRestarts()).isEqualTo(1);
    assertThat(stage("student").getJobName()).isEqualTo("fmnist-student-a2");
    Job second = harness.cluster.job(NS, "fmnist-student-a2");
    assertThat(second.getSpec().getCompletions()).as("every node again, not the failed one alone").isEqualTo(2);
    assertThat(env(second)).containsEntry("MASTER_ADDR", "fmnist-student-a2-0.fmnist-student-a2");
    assertThat(service("fmnist-student-a2").getSpec().getSelector()).containsEntry("semisup.dev/attempt", "2");
    assertThat(warnings("GroupRestarted")).singleElement().satisfies(event -> assertThat(event.getMessage())
        .contains("fmnist-student", "restart 1 of 2", "rank 1: NCCL watchdog timeout"));

    harness.cluster.failJob(NS, "fmnist-student-a2", "rank 0: lost");
    harness.reconcile("fmnist");
    assertThat(stage("student").getAttempts()).isEqualTo(3);
    assertThat(stage("student").getGroupRestarts()).isEqualTo(2);

    harness.cluster.failJob(NS, "fmnist-student-a3", "rank 1: lost again");
    harness.reconcile("fmnist");

    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Failed);
    assertThat(harness.run("fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    assertThat(Conditions.find(harness.run("fmnist").getStatus().getConditions(), Conditions.FAILED).orElseThrow()
        .getMessage()).contains("fmnist-student-a3", "rank 1: lost again");
    assertThat(harness.jobNames("fmnist")).contains("fmnist-student", "fmnist-student-a2", "fmnist-student-a3")
        .doesNotContain("fmnist-student-a4");
  }

  @Test
  void exitCodeTwoFailsTheStepAtOnceWithoutARestart() throws Exception {
    studentStarted();

    harness.cluster.failJob(NS, "fmnist-student", "PodFailurePolicy", "Container trainer for pod ml/fmnist-student-0-x"
        + " failed with exit code 2 matching FailJob rule at index 0", "spec.data.labeled: cannot read s3://data/x");
    harness.reconcile("fmnist");

    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Failed);
    assertThat(stage("student").getAttempts()).isEqualTo(1);
    assertThat(stage("student").getGroupRestarts()).isNull();
    assertThat(harness.jobNames("fmnist")).doesNotContain("fmnist-student-a2");
    assertThat(warnings("GroupRestarted")).isEmpty();
    assertThat(stage("student").getMessage()).contains("cannot read s3://data/x");
  }

  @Test
  void aPrefixTheClaimRefusesFailsTheStepAtOnceWithTheClaimsMessage() throws Exception {
    studentStarted();

    harness.cluster.failJobAtInitContainer(NS, "fmnist-student", "claim", "the prefix s3://semisup/runs/ml/fmnist"
        + " belongs to run ml/other (uid u-2), not to run ml/fmnist (uid u-1): choose another metadata.name or"
        + " spec.storage.prefix");
    harness.reconcile("fmnist");

    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Failed);
    assertThat(harness.jobNames("fmnist")).doesNotContain("fmnist-student-a2");
    assertThat(warnings("GroupRestarted")).isEmpty();
    assertThat(stage("student").getMessage()).as("the claim's words, not the Job controller's")
        .startsWith("the prefix s3://semisup/runs/ml/fmnist belongs to run ml/other");
    assertThat(Conditions.find(harness.run("fmnist").getStatus().getConditions(), Conditions.FAILED).orElseThrow()
        .getMessage()).contains("student failed", "belongs to run ml/other", "spec.storage.prefix");
  }

  @Test
  void aClaimWhoseWorkerImageCannotBePulledIsTheReasonTheGroupMakesNoProgress() throws Exception {
    studentStarted();

    harness.cluster.imagePullFailingInitContainer(NS, "fmnist-student", "registry.local/semisup-worker:typo",
        "Back-off pulling image registry.local/semisup-worker:typo");
    harness.reconcile("fmnist");

    Condition progressing = Conditions.find(harness.run("fmnist").getStatus().getConditions(), Conditions.PROGRESSING)
        .orElseThrow();
    assertThat(progressing.getReason()).isEqualTo("ImagePullBackOff");
    assertThat(progressing.getMessage()).contains("student", "registry.local/semisup-worker:typo");
  }

  @Test
  void aRestartWhoseStatusWriteWasLostIsAdoptedAndCounted() throws Exception {
    studentStarted();
    harness.cluster.failJob(NS, "fmnist-student", "rank 1: lost");
    harness.killBeforeNextStatusWrite();

    assertThatThrownBy(() -> harness.reconcile("fmnist")).isInstanceOf(ReconcilerHarness.OperatorKilled.class);
    assertThat(harness.jobNames("fmnist")).contains("fmnist-student-a2");
    assertThat(stage("student").getAttempts()).as("the status never said so").isEqualTo(1);

    harness.reconcile("fmnist");

    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Running);
    assertThat(stage("student").getAttempts()).isEqualTo(2);
    assertThat(stage("student").getGroupRestarts()).as("the restart counts once").isEqualTo(1);
    assertThat(harness.jobNames("fmnist")).doesNotContain("fmnist-student-a3");
  }

  @Test
  void aRetryByHandGivesTheGroupItsRestartsAgain() throws Exception {
    studentStarted(1);
    harness.cluster.failJob(NS, "fmnist-student", "rank 1: lost");
    harness.reconcile("fmnist");
    harness.cluster.failJob(NS, "fmnist-student-a2", "rank 1: lost");
    harness.reconcile("fmnist");
    assertThat(stage("student").getPhase()).as("its one restart spent").isEqualTo(StagePhase.Failed);

    harness.cluster.edit(NS, "fmnist", run -> {
      run.getMetadata().setAnnotations(Map.of(SemiSupervisedRun.RETRY_ANNOTATION, "1"));
      return run;
    });
    harness.reconcile("fmnist");
    assertThat(stage("student").getAttempts()).isEqualTo(3);
    assertThat(stage("student").getGroupRestarts()).isNull();

    harness.cluster.failJob(NS, "fmnist-student-a3", "rank 0: lost");
    harness.reconcile("fmnist");
    assertThat(stage("student").getPhase()).isEqualTo(StagePhase.Running);
    assertThat(stage("student").getJobName()).isEqualTo("fmnist-student-a4");
    assertThat(stage("student").getGroupRestarts()).isEqualTo(1);
  }

  @Test
  void aTrainerImageOutsideTheAllowlistIsRefusedBeforeAnyJob() throws Exception {
    harness.close();
    harness = new ReconcilerHarness(new RunPolicy(Set.of("ghcr.io/semisup/semisup-worker:*"), Set.of(), Set.of()),
        Clock.systemUTC());
    SemiSupervisedRun run = Runs.run("miner");
    Runs.withTorchDdpStudent(run.getSpec(), 2, 8);
    TrainerSpec trainer = new TrainerSpec();
    trainer.setImage("docker.io/evil/miner:1");
    run.getSpec().setTrainer(trainer);
    harness.cluster.create(run);
    harness.reconcile("miner");

    assertThat(harness.jobs("miner")).isEmpty();
    var failed = Conditions.find(harness.run("miner").getStatus().getConditions(), Conditions.FAILED).orElseThrow();
    assertThat(failed.getReason()).isEqualTo("NotAllowed");
    assertThat(failed.getMessage()).contains("spec.trainer.image docker.io/evil/miner:1");

    SemiSupervisedRun fine = Runs.run("fine");
    Runs.withTorchDdpStudent(fine.getSpec(), 2, 8);
    harness.cluster.create(fine);
    harness.reconcile("fine");
    harness.reconcile("fine");
    assertThat(harness.jobNames("fine")).as("the operator's own trainer image needs no entry").containsExactly("fine-teacher");
  }
}
