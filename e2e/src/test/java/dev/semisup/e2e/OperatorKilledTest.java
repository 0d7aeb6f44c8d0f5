package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.testing.StatusWriteHold;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator process killed with SIGKILL in the one window that could duplicate work: it has
 * created the infer Job and not yet written the status that says so. The API server holds that
 * status write unanswered; the test kills the operator's JVM while it waits. A new operator must
 * find the Job by its owner, not start a second one, and finish the run.
 */
class OperatorKilledTest {

  @Test
  @Timeout(300)
  void anOperatorKilledBetweenAJobsCreateAndItsStatusWriteNeitherRerunsNorDuplicates(@TempDir Path logs)
      throws Exception {
    try (EndToEndCluster e2e = new EndToEndCluster(false)) {
      StatusWriteHold hold = e2e.cluster.holdStatusWriteAfterCreateOf(EndToEndCluster.NAMESPACE, "killed", "killed-infer");
      Path log = logs.resolve("operator.log");
      Process operator = OperatorProcess.start(e2e.cluster.masterUrl(), EndToEndCluster.NAMESPACE, log);
      try {
        e2e.cluster.create(e2e.tinyRun("killed"));
        assertThat(hold.awaitHeld(Duration.ofSeconds(150))).as("the operator reached the status write after "
            + "creating killed-infer; its log:\n" + tail(log)).isTrue();
        operator.destroyForcibly(); // SIGKILL on Linux
        assertThat(operator.waitFor(30, TimeUnit.SECONDS)).isTrue();
      } finally {
        operator.destroyForcibly();
      }
      assertThat(operator.exitValue()).as("killed by SIGKILL").isEqualTo(137);

      SemiSupervisedRun afterKill = e2e.get("killed");
      assertThat(stage(afterKill, "infer").getPhase()).as("the status never said infer started")
          .isEqualTo(StagePhase.Pending);
      String inferJob = e2e.cluster.job(EndToEndCluster.NAMESPACE, "killed-infer").getMetadata().getUid();

      e2e.startOperator();
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
        SemiSupervisedRun run = e2e.get("killed");
        return run.getStatus() != null && run.getStatus().getPhase() != null && run.getStatus().getPhase().finished();
      });
      SemiSupervisedRun run = e2e.get("killed");
      assertThat(run.getStatus().getPhase()).isEqualTo(RunPhase.Succeeded);
      assertThat(e2e.cluster.jobs(EndToEndCluster.NAMESPACE, "killed")).extracting(j -> j.getMetadata().getName())
          .containsExactlyInAnyOrder("killed-teacher", "killed-infer", "killed-select", "killed-pack",
              "killed-student", "killed-finetune");
      assertThat(run.getStatus().getStages()).extracting(StageStatus::getAttempts).containsOnly(1);
      assertThat(e2e.cluster.job(EndToEndCluster.NAMESPACE, "killed-infer").getMetadata().getUid())
          .as("the Job the killed operator created is the one that ran, not deleted and made again")
          .isEqualTo(inferJob);
      assertThat(e2e.kubelet.podsRun()).as("one pod per step and shard (teacher, 2 infer, select, 2 pack, student, "
          + "finetune), none run twice").isEqualTo(8);
    }
  }

  private static StageStatus stage(SemiSupervisedRun run, String name) {
    return run.getStatus().getStages().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  private static String tail(Path log) {
    try {
      String text = Files.readString(log);
      return text.substring(Math.max(0, text.length() - 4000));
    } catch (java.io.IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
