package dev.semisup.e2e.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.report.TrainingHistory;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.e2e.EndToEndCluster;
import dev.semisup.e2e.JobPod;
import dev.semisup.e2e.helm.Helm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A whole run as a cluster runs it, with every process a real container: the operator from its
 * image with the chart's Deployment, each pod of its Jobs from the worker image with the pod
 * template's command, env, securityContext, volumes and limits. The test still plays the API
 * server (the mock), the kubelet and the Job controller ({@code TestKubelet} starting
 * {@code podman run} for each pod) and the S3 server (S3Proxy). Mid-way the teacher's container is
 * killed with SIGKILL once it has checkpointed; the Job's next pod must resume the step.
 */
class ContainerEndToEndTest {

  private static final String RUN = "ctr";
  /** Enough epochs that the teacher is still training when the test sees its first checkpoints. */
  private static final int TEACHER_EPOCHS = 60;
  private static final Pattern EPOCH_CHECKPOINT = Pattern.compile("epoch-(\\d{4})\\.ckpt$");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @Timeout(600)
  void aWholeRunInContainersSucceedsThoughAWorkerContainerIsKilledMidTraining() throws Exception {
    // Kept after the test (the pods' and the operator's logs), for a CI that shows what failed.
    Path dir = LogFolder.fresh(Path.of("target", "container-e2e"));
    Podman podman = Podman.require(Podman.WORKER_IMAGE, Podman.OPERATOR_IMAGE);
    Helm helm = Helm.require();
    try (ContainerPodRunner pods = new ContainerPodRunner(podman, dir.resolve("pods"));
        EndToEndCluster e2e = new EndToEndCluster(false, pods)) {
      Deployment deployment = helm.template(
              "--set", "image.repository=" + repository(Podman.OPERATOR_IMAGE),
              "--set", "image.tag=" + tag(Podman.OPERATOR_IMAGE),
              "--set", "worker.image.repository=" + repository(Podman.WORKER_IMAGE),
              "--set", "watchNamespaces={" + EndToEndCluster.NAMESPACE + "}",
              "--set", "policy.allowedEndpoints={" + e2e.storeProxy.endpoint() + "}",
              // Host networking: the operator's port is this machine's, shared with whatever else runs here.
              "--set", "operator.httpPort=" + freePort())
          .get(Deployment.class, Helm.NAMESPACE, Helm.RELEASE + "-operator");
      try (OperatorContainer operator = OperatorContainer.start(podman, deployment, e2e.cluster.masterUrl(),
          dir.resolve("operator"), Duration.ofSeconds(120))) {
        assertThat(podman.inspect(operator.name(),
            "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.Memory}} {{.HostConfig.SecurityOpt}}"))
            .as("the chart's securityContext and memory limit on the operator's container")
            .isEqualTo("1000:1000 true 536870912 [no-new-privileges]");

        SemiSupervisedRun run = e2e.tinyRun(RUN);
        run.getSpec().getResources().setImage(Podman.WORKER_IMAGE);
        run.getSpec().getTeacher().getTraining().setEpochs(TEACHER_EPOCHS);
        String prefix = run.getSpec().getStorage().resolvedPrefix(EndToEndCluster.NAMESPACE, RUN) + "/teacher/";
        e2e.cluster.create(run);

        // The teacher's first pod, once it has checkpointed two epochs: killed as the kernel kills.
        String teacherPod = RUN + "-teacher-0-0";
        int[] checkpointed = new int[1];
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
            .failFast("the teacher finished before it was killed; raise TEACHER_EPOCHS",
                () -> e2e.s3.exists(prefix + "_SUCCESS"))
            .until(() -> {
              checkpointed[0] = newestEpochCheckpoint(e2e, prefix + "checkpoints/");
              return checkpointed[0] >= 2;
            });
        assertThat(podman.inspect(pods.containerName(teacherPod),
            "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.Memory}} {{.HostConfig.SecurityOpt}}"))
            .as("the Job's securityContext and memory limit on the worker's container")
            .isEqualTo("1000:1000 true 1073741824 [no-new-privileges]");
        Instant killed = Instant.now();
        pods.kill(teacherPod);
        assertThat(e2e.s3.exists(prefix + "_SUCCESS")).as("killed mid-step").isFalse();

        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500)).until(() -> {
          SemiSupervisedRun now = e2e.get(RUN);
          return now.getStatus() != null && now.getStatus().getPhase() != null && now.getStatus().getPhase().finished();
        });
        SemiSupervisedRun done = e2e.get(RUN);
        assertThat(done.getStatus().getPhase()).as("run %s; operator log:\n%s", done.getStatus(), operator.logTail())
            .isEqualTo(RunPhase.Succeeded);

        // The kill: the pod failed with SIGKILL's exit code, the Job's next pod finished the step.
        Pod killedPod = e2e.cluster.client().pods().inNamespace(EndToEndCluster.NAMESPACE).withName(teacherPod).get();
        assertThat(killedPod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode())
            .isEqualTo(137);
        Job teacher = e2e.cluster.job(EndToEndCluster.NAMESPACE, RUN + "-teacher");
        assertThat(teacher.getStatus().getFailed()).isEqualTo(1);
        assertThat(teacher.getStatus().getSucceeded()).isEqualTo(1);
        // Resumed, not started again: the epochs finished before the kill were not trained again
        // (history.json keeps an epoch's entry until that epoch is trained anew), the rest after it.
        TrainingHistory history = read(e2e, prefix + "history.json", TrainingHistory.class);
        assertThat(history.epochs()).extracting(TrainingHistory.Epoch::epoch)
            .containsExactlyElementsOf(range(1, TEACHER_EPOCHS));
        for (TrainingHistory.Epoch epoch : history.epochs()) {
          Instant finished = Instant.parse(epoch.finishedAt());
          if (epoch.epoch() <= checkpointed[0]) {
            assertThat(finished).as("epoch %d, checkpointed before the kill", epoch.epoch()).isBefore(killed);
          }
        }
        assertThat(Instant.parse(history.epochs().get(TEACHER_EPOCHS - 1).finishedAt())).isAfter(killed);
        assertThat(pods.log(RUN + "-teacher-0-1")).content().contains("teacher: training");

        // Every pod a container of the worker image: teacher twice, two infer shards, select, two
        // pack shards, student, finetune.
        assertThat(pods.started()).extracting(JobPod::name).containsExactly(
            RUN + "-teacher-0-0", RUN + "-teacher-0-1", RUN + "-infer-0-0", RUN + "-infer-1-0", RUN + "-select-0-0",
            RUN + "-pack-0-0", RUN + "-pack-1-0", RUN + "-student-0-0", RUN + "-finetune-0-0");
        assertThat(pods.started()).extracting(p -> p.container().getImage()).containsOnly(Podman.WORKER_IMAGE);
        assertThat(e2e.kubelet.podsRun()).isEqualTo(9);
        assertThat(done.getStatus().getStages()).extracting(StageStatus::getAttempts).containsOnly(1);
        assertThat(e2e.cluster.job(EndToEndCluster.NAMESPACE, RUN + "-infer").getStatus().getCompletedIndexes())
            .isEqualTo("0-1");
        assertThat(e2e.cluster.job(EndToEndCluster.NAMESPACE, RUN + "-pack").getStatus().getCompletedIndexes())
            .isEqualTo("0-1");
        // What the containers computed: three classes, chance is 1/3.
        assertThat(done.getStatus().getMetrics().getTeacherAccuracy()).isGreaterThan(0.5);
        assertThat(done.getStatus().getMetrics().getFinalAccuracy()).isGreaterThan(0.5);
        assertThat(done.getStatus().getMetrics().getSampledImages()).isPositive();

        assertThat(operator.running()).as("the operator's container still runs").isTrue();
        assertThat(operator.live()).as("its liveness probe answers").isTrue();
      }
    }
  }


  private static String repository(String image) {
    return image.substring(0, image.lastIndexOf(':'));
  }

  private static String tag(String image) {
    return image.substring(image.lastIndexOf(':') + 1);
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Epochs done by the newest end-of-epoch checkpoint in {@code folder}; 0 without one. */
  private static int newestEpochCheckpoint(EndToEndCluster e2e, String folder) throws Exception {
    int newest = 0;
    for (var item : e2e.s3.client().listObjects(ListObjectsArgs.builder().bucket(e2e.s3.bucket()).prefix(folder)
        .build())) {
      Matcher matcher = EPOCH_CHECKPOINT.matcher(item.get().objectName());
      if (matcher.find()) {
        newest = Math.max(newest, Integer.parseInt(matcher.group(1)));
      }
    }
    return newest;
  }


  private static <T> T read(EndToEndCluster e2e, String key, Class<T> type) throws Exception {
    try (InputStream in = e2e.s3.client().getObject(GetObjectArgs.builder().bucket(e2e.s3.bucket()).object(key).build())) {
      return JSON.readValue(in, type);
    }
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> values = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      values.add(i);
    }
    return values;
  }
}
