package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.semisup.api.WorkerContract;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.EngineType;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.jobs.PodGroup;
import dev.semisup.operator.status.Conditions;
import dev.semisup.worker.cli.Semisup;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A torch-ddp teacher's pod group whose Job fails while one of its ranks still runs, waiting for a
 * peer that will never come: the test kubelet, playing the Job controller, deletes that rank's pod
 * and stops its container (SIGTERM) before it writes the Job's Failed condition, so the operator's
 * decision comes in seconds, not at a trainer's timeout, and never while a rank of the failed
 * group runs. Each pod's init container is the real {@code semisup stage --claim}; the trainer is
 * played: a rank that fails (once its peer waits) says so through its termination message and
 * exits 1, a waiting rank blocks until it is stopped and then exits 143, as a process that SIGTERM
 * ends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodGroupFailureEndToEndTest {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
  /** Under the pods' grace period (30 s, the default): no wait in these tests is a SIGKILL's. */
  private static final Duration WELL_UNDER_A_GRACE_PERIOD = Duration.ofSeconds(25);
  private static final String PEER_LOST = "rank 1: the collective lost its peer (played)";

  /** The played trainer ranks that fail at once, by run name; every other rank waits for its peers. */
  private final Map<String, String> failingRank = new ConcurrentHashMap<>();
  /** Each played trainer pod, by pod name: when it started and how it ended. */
  private final Map<String, TrainerPod> trainers = new ConcurrentHashMap<>();
  /** By Job: opens once one of its ranks waits for its peers. */
  private final Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
  private EndToEndCluster e2e;

  private record TrainerPod(Instant started, Instant ended, int exitCode) {
  }

  @BeforeAll
  void start() throws Exception {
    PodRunner worker = PodRunner.inProcess(Semisup::execute);
    e2e = new EndToEndCluster(true, (pod, out, err) -> PodGroup.CONTAINER.equals(pod.container().getName())
        ? playTrainer(pod) : worker.run(pod, out, err));
  }

  @AfterAll
  void stop() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
  }

  @Test
  @Timeout(120)
  void aFailedRankEndsItsWaitingPeerSoEveryGroupRestartComesInSecondsUntilTheRetriesAreSpent() throws Exception {
    failingRank.put("ddp-lost", "1");
    SemiSupervisedRun run = torchDdpTeacher("ddp-lost");
    int retries = run.getSpec().getResources().getRetries();
    Instant created = Instant.now();
    e2e.cluster.create(run);

    SemiSupervisedRun done = e2e.awaitFinished("ddp-lost", RUN_TIMEOUT);

    assertThat(Duration.between(created, Instant.now())).as("%d group attempts", retries + 1)
        .isLessThan(WELL_UNDER_A_GRACE_PERIOD);
    String status = Manifests.toJson(done.getStatus());
    assertThat(done.getStatus().getPhase()).as(status).isEqualTo(RunPhase.Failed);
    StageStatus teacher = teacherStage(done);
    assertThat(teacher.getPhase()).as(status).isEqualTo(StagePhase.Failed);
    assertThat(teacher.getGroupRestarts()).as("R22 until the retries are spent, then R23").isEqualTo(retries);
    Condition failed = Conditions.find(done.getStatus().getConditions(), Conditions.FAILED).orElseThrow();
    assertThat(failed.getReason()).isEqualTo("StepFailed");
    assertThat(failed.getMessage()).as("the failed rank's words, not the stopped one's").contains(PEER_LOST);

    List<String> jobs = List.of("ddp-lost-teacher", "ddp-lost-teacher-a2", "ddp-lost-teacher-a3");
    assertThat(e2e.cluster.jobs(EndToEndCluster.NAMESPACE, "ddp-lost")).extracting(j -> j.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(jobs);
    for (int attempt = 0; attempt < jobs.size(); attempt++) {
      String job = jobs.get(attempt);
      assertFailedAfterItsPodsEnded(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
      TrainerPod waiting = trainers.get(job + "-0-0");
      assertThat(waiting.exitCode()).as("%s's waiting rank, stopped by SIGTERM", job).isEqualTo(143);
      assertThat(pod(job + "-0-0")).as("a pod the Job controller deleted is gone").isNull();
      Pod lost = pod(job + "-1-0");
      assertThat(lost.getStatus().getPhase()).isEqualTo("Failed");
      assertThat(lost.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage())
          .isEqualTo(PEER_LOST);
      if (attempt + 1 < jobs.size()) {
        String next = jobs.get(attempt + 1);
        assertThat(trainers.get(next + "-0-0").started()).as("%s's ranks start after %s's last rank ended", next, job)
            .isAfterOrEqualTo(waiting.ended());
      }
    }
  }

  @Test
  @Timeout(120)
  void aGroupPastItsStepDeadlineHasEveryRankStoppedAndFailsTheStepWithoutARestart() throws Exception {
    SemiSupervisedRun run = torchDdpTeacher("ddp-late");
    run.getSpec().getResources().setStepDeadlineSeconds(8L);
    Instant created = Instant.now();
    e2e.cluster.create(run);

    SemiSupervisedRun done = e2e.awaitFinished("ddp-late", RUN_TIMEOUT);

    assertThat(Duration.between(created, Instant.now())).isLessThan(WELL_UNDER_A_GRACE_PERIOD);
    String status = Manifests.toJson(done.getStatus());
    assertThat(done.getStatus().getPhase()).as(status).isEqualTo(RunPhase.Failed);
    assertThat(teacherStage(done).getGroupRestarts()).as("a deadline restarts nothing (R23)").isIn(null, 0);
    Condition failed = Conditions.find(done.getStatus().getConditions(), Conditions.FAILED).orElseThrow();
    assertThat(failed.getReason()).isEqualTo("StepFailed");
    assertThat(failed.getMessage()).startsWith("teacher failed").contains("DeadlineExceeded");
    assertThat(e2e.cluster.jobs(EndToEndCluster.NAMESPACE, "ddp-late")).extracting(j -> j.getMetadata().getName())
        .containsExactly("ddp-late-teacher");
    assertFailedAfterItsPodsEnded("ddp-late-teacher", "DeadlineExceeded",
        "Job was active longer than specified deadline");
    for (String rank : List.of("ddp-late-teacher-0-0", "ddp-late-teacher-1-0")) {
      assertThat(trainers.get(rank).exitCode()).as(rank).isEqualTo(143);
      assertThat(pod(rank)).as(rank).isNull();
    }
  }

  /**
   * The Job's conditions in the Job controller's order, FailureTarget before Failed with the same
   * reason and message; both ranks counted failed, none active or terminating; and Failed written
   * only once the last of its pods had ended.
   */
  private void assertFailedAfterItsPodsEnded(String job, String reason, String message) {
    Job failed = e2e.cluster.job(EndToEndCluster.NAMESPACE, job);
    assertThat(failed.getStatus().getConditions()).as(job).extracting(JobCondition::getType)
        .containsExactly("FailureTarget", "Failed");
    assertThat(failed.getStatus().getConditions()).as(job).allSatisfy(condition -> {
      assertThat(condition.getStatus()).isEqualTo("True");
      assertThat(condition.getReason()).isEqualTo(reason);
      assertThat(condition.getMessage()).isEqualTo(message);
    });
    assertThat(failed.getStatus().getFailed()).as(job).isEqualTo(2);
    assertThat(failed.getStatus().getActive()).as(job).isZero();
    assertThat(failed.getStatus().getTerminating()).as(job).isZero();
    Instant failedAt = Instant.parse(failed.getStatus().getConditions().get(1).getLastTransitionTime());
    for (int rank = 0; rank < 2; rank++) {
      assertThat(trainers.get(job + "-" + rank + "-0").ended()).as("%s rank %d", job, rank).isBeforeOrEqualTo(failedAt);
    }
  }

  /**
   * A trainer rank: the run's failing rank writes its termination message and exits 1; any other
   * waits for a peer that never answers until the kubelet stops it.
   */
  private int playTrainer(JobPod pod) {
    Instant started = Instant.now();
    int exitCode;
    CountDownLatch peersWaiting = peersWaiting(pod);
    if (pod.env().get(PodGroup.ENV_NODE_RANK).equals(failingRank.get(pod.env().get(WorkerContract.ENV_RUN_NAME)))) {
      try {
        // Fails once its peer waits in the collective, not while the peer's init container runs.
        peersWaiting.await(30, TimeUnit.SECONDS);
        Files.writeString(pod.terminationLog(), PEER_LOST);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exitCode = 1;
    } else {
      peersWaiting.countDown();
      try {
        new CountDownLatch(1).await();
        exitCode = 0;
      } catch (InterruptedException e) {
        exitCode = 143;
      }
    }
    trainers.put(pod.name(), new TrainerPod(started, Instant.now(), exitCode));
    return exitCode;
  }

  /** Opens when a rank of the pod's Job waits for its peers (the pod's name is {@code <job>-<index>-<failures>}). */
  private CountDownLatch peersWaiting(JobPod pod) {
    String job = pod.name().replaceFirst("-\\d+-\\d+$", "");
    return waiting.computeIfAbsent(job, j -> new CountDownLatch(1));
  }

  /** TinyData's run, with retries, whose teacher is a group of two pods. */
  private SemiSupervisedRun torchDdpTeacher(String name) throws Exception {
    SemiSupervisedRun run = e2e.tinyRun(name);
    run.getSpec().getTeacher().setEngine(new EngineSpec(EngineType.TORCH_DDP, 2, 0));
    assertThat(run.getSpec().getResources().getRetries()).as("a group restart would be allowed").isPositive();
    return run;
  }

  private static StageStatus teacherStage(SemiSupervisedRun run) {
    return run.getStatus().getStages().stream().filter(stage -> stage.getName().equals("teacher")).findFirst()
        .orElseThrow();
  }

  private Pod pod(String name) {
    return e2e.cluster.client().pods().inNamespace(EndToEndCluster.NAMESPACE).withName(name).get();
  }
}
