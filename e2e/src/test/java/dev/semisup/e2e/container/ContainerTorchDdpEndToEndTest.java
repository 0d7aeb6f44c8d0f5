package dev.semisup.e2e.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.EngineType;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.api.v1alpha1.TrainerSpec;
import dev.semisup.e2e.EndToEndCluster;
import dev.semisup.e2e.JobPod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run whose student trains on torch-ddp across two pods, each pod of the operator's Indexed Job
 * a real container of the trainer image (the CPU variant scripts/build-images.sh builds) started
 * with the pod template's torchrun line: the two ranks find each other only through the group's
 * host name {@code <job>-0.<service>} (MASTER_ADDR), which resolves because the operator made
 * the headless Service. The worker image runs the other steps and the fine-tune runs on
 * torch-ddp too (the worker does not fine-tune a TorchScript student). The operator runs in this
 * JVM; the test plays the API server, the kubelet and the Job controller, and S3Proxy the store.
 */
class ContainerTorchDdpEndToEndTest {

  private static final String RUN = "ddp";

  @Test
  @Timeout(600)
  void aTorchDdpStudentTrainsAsTwoTrainerContainersThatFindEachOtherByHostName() throws Exception {
    // Kept after the test (the pods' logs), for a CI that shows what failed.
    Path dir = LogFolder.fresh(Path.of("target", "container-ddp-e2e"));
    Podman podman = Podman.require(Podman.WORKER_IMAGE, Podman.TRAINER_IMAGE);
    try (ContainerPodRunner pods = new ContainerPodRunner(podman, dir.resolve("pods"));
        EndToEndCluster e2e = new EndToEndCluster(false, pods)) {
      SemiSupervisedRun run = e2e.tinyRun(RUN);
      run.getSpec().getResources().setImage(Podman.WORKER_IMAGE);
      run.getSpec().getStudent().setEngine(new EngineSpec(EngineType.TORCH_DDP, 2, 0));
      run.getSpec().getStudent().setFinetuneEngine(new EngineSpec(EngineType.TORCH_DDP, 1, 0));
      TrainerSpec trainer = new TrainerSpec();
      trainer.setImage(Podman.TRAINER_IMAGE);
      run.getSpec().setTrainer(trainer);
      String prefix = run.getSpec().getStorage().resolvedPrefix(EndToEndCluster.NAMESPACE, RUN) + "/";
      e2e.startOperator();
      e2e.cluster.create(run);

      await().atMost(Duration.ofSeconds(480)).pollInterval(Duration.ofMillis(500)).until(() -> {
        SemiSupervisedRun now = e2e.get(RUN);
        return now.getStatus() != null && now.getStatus().getPhase() != null && now.getStatus().getPhase().finished();
      });
      SemiSupervisedRun done = e2e.get(RUN);
      assertThat(done.getStatus().getPhase()).as("run %s; pod logs in %s", done.getStatus(), dir.resolve("pods"))
          .isEqualTo(RunPhase.Succeeded);

      // The student's group: one Indexed Job of two pods, both done, none failed.
      Job student = e2e.cluster.job(EndToEndCluster.NAMESPACE, RUN + "-student");
      assertThat(student.getSpec().getCompletionMode()).isEqualTo("Indexed");
      assertThat(student.getSpec().getParallelism()).isEqualTo(2);
      assertThat(student.getStatus().getCompletedIndexes()).isEqualTo("0-1");
      assertThat(student.getStatus().getFailed()).isNull();
      List<JobPod> trainerPods = pods.started().stream()
          .filter(pod -> pod.container().getImage().equals(Podman.TRAINER_IMAGE)).toList();
      assertThat(trainerPods).extracting(JobPod::name)
          .containsExactlyInAnyOrder(RUN + "-student-0-0", RUN + "-student-1-0", RUN + "-finetune-0-0");
      assertThat(trainerPods).filteredOn(pod -> pod.name().startsWith(RUN + "-student-"))
          .allSatisfy(pod -> {
            assertThat(pod.env()).containsEntry("MASTER_ADDR", RUN + "-student-0." + RUN + "-student");
            assertThat(pod.clusterHosts()).contains(RUN + "-student-0." + RUN + "-student");
          })
          .extracting(pod -> pod.spec().getHostname())
          .containsExactlyInAnyOrder(RUN + "-student-0", RUN + "-student-1");
      for (int rank = 0; rank < 2; rank++) {
        assertThat(pods.log(RUN + "-student-" + rank + "-0")).as("rank %d's log", rank).content()
            .contains("student: rank " + rank + " of 2 on cpu");
      }

      // What the trainer containers wrote, and the run's progress past them.
      for (String step : List.of("student", "finetune")) {
        for (String artifact : List.of("model.pt", "model-card.json", "_SUCCESS")) {
          assertThat(e2e.s3.exists(prefix + step + "/" + artifact)).as("%s/%s", step, artifact).isTrue();
        }
      }
      assertThat(done.getStatus().getStages()).filteredOn(stage -> List.of("student", "finetune")
              .contains(stage.getName()))
          .hasSize(2)
          .allSatisfy(stage -> {
            assertThat(stage.getAttempts()).isEqualTo(1);
            assertThat(stage.getGroupRestarts()).isIn(null, 0);
          });
      assertThat(done.getStatus().getStages()).extracting(StageStatus::getName)
          .containsSubsequence("teacher", "infer", "select", "pack", "student", "finetune");
      // Three classes: chance is 1/3.
      assertThat(done.getStatus().getMetrics().getFinalAccuracy()).isGreaterThan(0.5);
    }
  }


}
