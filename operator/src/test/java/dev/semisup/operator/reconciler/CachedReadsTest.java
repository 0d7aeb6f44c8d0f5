package dev.semisup.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.OperatorMain;
import dev.semisup.operator.config.RunPolicy;
import dev.semisup.operator.observer.ProgressReads;
import dev.semisup.operator.status.Conditions;
import dev.semisup.operator.testing.ApiCall;
import dev.semisup.operator.testing.ReconcilerHarness;
import dev.semisup.operator.testing.Runs;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reconcile of a running run reads what the informers hold, asks the API server only where an
 * absence in a cache would decide something, and reads a bounded number of progress files.
 */
class CachedReadsTest {

  private static final String NS = Runs.NAMESPACE;
  private ReconcilerHarness harness = new ReconcilerHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  private StageStatus stage(String run, String step) {
    return harness.run(run).getStatus().getStages().stream().filter(s -> s.getName().equals(step)).findFirst()
        .orElseThrow();
  }

  /** The operator's API calls made while {@code reconciles} reconciles of the run run. */
  private List<String> apiCallsOf(String run, int reconciles) throws Exception {
    int before = harness.cluster.requests().size();
    for (int i = 0; i < reconciles; i++) {
      harness.reconcile(run);
    }
    List<RecordedRequest> all = harness.cluster.requests();
    return all.subList(before, all.size()).stream()
        .filter(r -> r.getHeader("User-Agent") != null && r.getHeader("User-Agent").startsWith(OperatorMain.USER_AGENT))
        .flatMap(r -> ApiCall.of(r.getMethod(), r.getPath()).stream())
        .map(ApiCall::toString)
        .toList();
  }

  @Test
  void aReconcileOfARunningRunAsksTheApiServerNothingItsInformersHold() throws Exception {
    harness.cluster.create(Runs.run("fmnist"));
    harness.reconcile("fmnist"); // accepted
    harness.reconcile("fmnist"); // the teacher's Job made
    assertThat(stage("fmnist", "teacher").getPhase()).isEqualTo(StagePhase.Running);

    List<String> calls = apiCallsOf("fmnist", 3);

    assertThat(calls).as("pods, the Secret and the Jobs come from the informers")
        .doesNotContain("list /pods", "get /secrets", "get batch/jobs", "list batch/jobs");
  }

  @Test
  void progressReadsPerReconcileAreBoundedAndEveryShardIsReadInTurn() throws Exception {
    int shards = 200;
    SemiSupervisedRun run = Runs.run("wide");
    run.getSpec().getSampling().setShards(shards);
    harness.cluster.create(run);
    harness.reconcile("wide");
    harness.reconcile("wide");
    harness.cluster.completeJob(NS, "wide-teacher");
    harness.reconcile("wide"); // the infer Job made
    PlannedStep infer = StagePlan.of(run.getSpec()).require("infer");
    ObjectLayout layout = new ObjectLayout("runs/ml/wide");
    for (int shard = 0; shard < shards; shard++) {
      harness.artifacts.put(layout.shardProgress(infer, shard),
          new StageProgress("infer", shard, shards, 0, 0, 50, 100, 10, null, 60L, "2026-11-28T17:01:00Z"));
    }

    int rounds = (shards + ProgressReads.MAX_READS - 1) / ProgressReads.MAX_READS;
    for (int round = 0; round < rounds; round++) {
      int before = harness.artifacts.reads();
      harness.reconcile("wide");
      assertThat(harness.artifacts.reads() - before).as("object store GETs in reconcile %d", round)
          .isLessThanOrEqualTo(ProgressReads.MAX_READS + 1); // + run.json
      if (round == 0) {
        assertThat(stage("wide", "infer").getImagesPerSecond()).as("the shards read so far")
            .isEqualTo(10.0 * ProgressReads.MAX_READS);
      }
    }

    StageStatus status = stage("wide", "infer");
    assertThat(status.getImagesPerSecond()).as("every shard, read in turn").isEqualTo(10.0 * shards);
    assertThat(status.getProgress()).isEqualTo("0/200 shards 50%");
    harness.artifacts.remove(layout.shardProgress(infer, 0));
    harness.reconcile("wide");
    assertThat(stage("wide", "infer").getImagesPerSecond()).as("a shard not read again keeps its last progress")
        .isEqualTo(10.0 * shards);
  }

  @Test
  void aSecretTheInformerHasNotDeliveredYetIsAskedOfTheApiServer() throws Exception {
    harness.cluster.client().secrets().inNamespace(NS).withName(Runs.SECRET).delete();
    harness.cluster.create(Runs.run("fmnist"));
    harness.reconcile("fmnist");
    harness.holdCaches(NS);
    harness.cluster.credentialsSecret(NS, Runs.SECRET, "access", "secret");

    harness.reconcile("fmnist");

    assertThat(harness.jobNames("fmnist")).containsExactly("fmnist-teacher");
    assertThat(harness.eventReasons("Warning")).doesNotContain("SecretNotFound");
  }

  @Test
  void aPodTheInformerHasNotDeliveredYetIsAskedOfTheApiServerBeforeNoPodIsReported() throws Exception {
    harness.close();
    // The operator's clock is ten minutes ahead of the Job's creation: past the 120 s bound.
    harness = new ReconcilerHarness(RunPolicy.OPEN, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)));
    harness.cluster.create(Runs.run("fmnist"));
    harness.reconcile("fmnist");
    harness.reconcile("fmnist");
    harness.holdCaches(NS);
    harness.cluster.unschedulablePod(NS, "fmnist-teacher", "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");

    harness.reconcile("fmnist");

    assertThat(Conditions.find(harness.run("fmnist").getStatus().getConditions(), Conditions.PROGRESSING)
        .orElseThrow().getReason()).as("not PodsNotCreated: the API server has its pod").isEqualTo("Unschedulable");
  }
}
