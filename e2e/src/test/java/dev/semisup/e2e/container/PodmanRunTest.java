package dev.semisup.e2e.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.EngineType;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.e2e.TinyData;
import dev.semisup.operator.jobs.PodGroup;
import dev.semisup.operator.jobs.StageJobFactory;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pod template -> podman run translation, on the Jobs the operator really writes. */
class PodmanRunTest {

  private static final Path LOG = Path.of("/scratch/pod.termination-log");

  @Test
  void anInferShardOfTheOperatorsJobRunsAsItsPodSaysItShould() throws Exception {
    PodSpec pod = operatorPod("infer");
    Map<String, String> env = resolved(pod);
    env.put("JOB_COMPLETION_INDEX", "1");

    List<String> args = PodmanRun.of("e2e-tiny-infer-1-0", pod, env, LOG).arguments();

    assertThat(args.subList(0, 4)).containsExactly("run", "--rm", "--name", "e2e-tiny-infer-1-0");
    assertThat(pairs(args)).contains(
        "--runtime runc", "--ulimit nofile=1024:1024", "--ulimit nproc=4096:4096", "--network host",
        "--pull never",
        "--user 1000:1000", "--group-add 1000",
        "--security-opt no-new-privileges", "--cap-drop ALL",
        "--memory 1073741824", "--cpus 1", "--cpu-shares 1024",
        "--tmpfs /tmp:rw,mode=1777",
        "--volume /scratch/pod.termination-log:/dev/termination-log:rw",
        "--env JOB_COMPLETION_INDEX=1", "--env AWS_ACCESS_KEY_ID=access", "--env AWS_SECRET_ACCESS_KEY=secret",
        "--env SEMISUP_RUN_NAME=tiny",
        "--entrypoint [\"semisup\",\"stage\",\"infer\"]");
    assertThat(args).containsSubsequence("--read-only", "--read-only-tmpfs=false");
    assertThat(args).doesNotContain("SEMISUP_TERMINATION_LOG")
        .noneMatch(a -> a.startsWith("--env SEMISUP_TERMINATION_LOG"));
    assertThat(args.get(args.size() - 1)).as("the image last: the Job's container has no args")
        .isEqualTo("localhost/semisup-worker:dev");
  }

  @Test
  void containerArgsFollowTheImage() {
    PodSpec pod = minimalPod(new ContainerBuilder().withName("c").withImage("localhost/x:dev")
        .withCommand("semisup").withArgs("stage", "teacher").build());

    List<String> args = PodmanRun.of("c", pod, Map.of(), LOG).arguments();

    assertThat(args.subList(args.size() - 3, args.size())).containsExactly("localhost/x:dev", "stage", "teacher");
    assertThat(pairs(args)).contains("--entrypoint [\"semisup\"]");
  }

  @Test
  void withoutACommandTheImagesEntrypointRuns() {
    PodSpec pod = minimalPod(new ContainerBuilder().withName("c").withImage("localhost/x:dev").build());

    List<String> args = PodmanRun.of("c", pod, Map.of(), LOG).arguments();

    assertThat(args).doesNotContain("--entrypoint").endsWith("localhost/x:dev");
  }

  @Test
  void everyFeatureTheRunnerDoesNotTranslateIsRefusedByName() throws Exception {
    PodSpec pod = operatorPod("teacher");
    pod.setNodeSelector(Map.of("gpu", "a100"));
    pod.setAutomountServiceAccountToken(true);
    pod.getSecurityContext().setRunAsUser(0L);
    pod.getSecurityContext().getSeccompProfile().setType("Unconfined");
    var container = pod.getContainers().get(0);
    container.getResources().getLimits().put("nvidia.com/gpu", new Quantity("1"));
    container.getSecurityContext().setRunAsUser(null);
    container.getSecurityContext().setPrivileged(true);
    container.setImagePullPolicy("Always");
    container.setWorkingDir("/work");
    pod.getVolumes().add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("data")
        .withNewHostPath().withPath("/data").endHostPath().build());
    container.getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("data")
        .withMountPath("/data").withReadOnly(true).build());
    Map<String, String> env = resolved(pod);
    env.remove("AWS_SECRET_ACCESS_KEY");

    assertThatThrownBy(() -> PodmanRun.of("p", pod, env, LOG))
        .isInstanceOf(UntranslatedPodException.class)
        .hasMessageContaining("spec.nodeSelector")
        .hasMessageContaining("spec.automountServiceAccountToken")
        .hasMessageContaining("spec.containers[worker].securityContext.runAsNonRoot: needs a non-zero runAsUser here, was 0")
        .hasMessageContaining("seccompProfile: Unconfined")
        .hasMessageContaining("spec.containers[worker].resources.limits.nvidia.com/gpu")
        .hasMessageContaining("spec.containers[worker].securityContext.privileged: true")
        .hasMessageContaining("spec.containers[worker].imagePullPolicy: Always")
        .hasMessageContaining("spec.containers[worker].workingDir")
        .hasMessageContaining("spec.volumes[data].hostPath")
        .hasMessageContaining("spec.containers[worker].volumeMounts[data].readOnly")
        .hasMessageContaining("spec.containers[worker].env[AWS_SECRET_ACCESS_KEY]: not resolved");
  }

  @Test
  void probesAreRefusedUnlessTheCallerRunsThem() {
    PodSpec pod = minimalPod(new ContainerBuilder().withName("c").withImage("localhost/x:dev")
        .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withNewPort(8080).endHttpGet().endLivenessProbe()
        .build());

    assertThatThrownBy(() -> PodmanRun.of("c", pod, Map.of(), LOG))
        .hasMessageContaining("spec.containers[c].livenessProbe (not translated");
  }

  @Test
  void aSizedEmptyDirIsATmpfsOfThatSize() {
    PodSpec pod = minimalPod(new ContainerBuilder().withName("c").withImage("localhost/x:dev")
        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount().build());
    pod.setVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("tmp")
        .withNewEmptyDir().withSizeLimit(new Quantity("256Mi")).endEmptyDir().build()));

    assertThat(pairs(PodmanRun.of("c", pod, Map.of(), LOG).arguments()))
        .contains("--tmpfs /tmp:rw,mode=1777,size=268435456");
  }

  @Test
  void aCpuRequestIsTheCgroupWeightTheKubeletGivesIt() {
    PodSpec pod = minimalPod(new ContainerBuilder().withName("c").withImage("localhost/x:dev")
        .withNewResources().addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("256Mi"))
        .addToLimits("memory", new Quantity("512Mi")).endResources().build());

    List<String> pairs = pairs(PodmanRun.of("c", pod, Map.of(), LOG).arguments());

    assertThat(pairs).contains("--cpu-shares 102", "--memory 536870912").noneMatch(p -> p.startsWith("--cpus"));
  }

  @Test
  void aTorchDdpPodRunsTheTorchrunLineExpandedAndFindsItsGroupByName() throws Exception {
    SemiSupervisedRun run = tinyRun();
    run.getSpec().getStudent().setEngine(new EngineSpec(EngineType.TORCH_DDP, 2, 0));
    run.getSpec().getStudent().setFinetuneEngine(new EngineSpec(EngineType.TORCH_DDP, 1, 0));
    PodSpec pod = StageJobFactory.jobFor(run, run.getSpec(), StagePlan.of(run.getSpec()).require("student"), 1)
        .getSpec().getTemplate().getSpec();
    // As the test kubelet gives pod 1 of the group: its host name, rank and the group's names.
    pod.setHostname("tiny-student-1");
    // The trainer container alone: the kubelet runs the pod's init container (the claim) before it.
    pod.setInitContainers(List.of());
    Map<String, String> env = resolved(pod);
    env.put("NODE_RANK", "1");
    List<String> group = List.of("tiny-student-0.tiny-student", "tiny-student-1.tiny-student");

    List<String> args = PodmanRun.of("p", pod, env, LOG, group).arguments();

    assertThat(pod.getSubdomain()).isEqualTo("tiny-student");
    assertThat(pairs(args)).contains(
        "--hostname tiny-student-1", "--add-host tiny-student-1:127.0.0.1",
        "--add-host tiny-student-0.tiny-student:127.0.0.1", "--add-host tiny-student-1.tiny-student:127.0.0.1",
        "--tmpfs /dev/shm:rw,mode=1777", "--tmpfs /tmp:rw,mode=1777",
        "--entrypoint [\"torchrun\",\"--nnodes=2\",\"--node-rank=1\",\"--nproc-per-node=1\","
            + "\"--master-addr=tiny-student-0.tiny-student\",\"--master-port=29500\",\"-m\",\"semisup_trainer\"]");
    assertThat(args.subList(args.size() - 2, args.size())).containsExactly(PodGroup.DEFAULT_IMAGE, "student");
  }

  @Test
  void commandAndArgsAreExpandedAsTheKubeletExpandsThem() {
    assertThat(PodmanRun.expand(List.of("$(A)-$(B)", "$$(A)", "a$b", "$(A", "$", "$(EMPTY)x"),
        Map.of("A", "1", "EMPTY", "")))
        .as("set: its value; unset: as written; $$: one $; anything else: as written")
        .containsExactly("1-$(B)", "$(A)", "a$b", "$(A", "$", "x");
  }

  private static SemiSupervisedRun tinyRun() throws Exception {
    SemiSupervisedRun run = TinyData.run("e2e", "tiny", "http://127.0.0.1:9000", "bucket", "s3-credentials");
    run.getMetadata().setUid("3f0c1a52-0000-4000-8000-000000000001");
    run.getSpec().getResources().setImage("localhost/semisup-worker:dev");
    return run;
  }

  /** The pod of the operator's Job for {@code step} of the tiny run, with the test's worker image. */
  static PodSpec operatorPod(String step) throws Exception {
    SemiSupervisedRun run = tinyRun();
    return StageJobFactory.jobFor(run, run.getSpec(), StagePlan.of(run.getSpec()).require(step), 1)
        .getSpec().getTemplate().getSpec();
  }

  /** The container's environment as the test kubelet resolves it, credentials from the Secret. */
  private static Map<String, String> resolved(PodSpec pod) {
    Map<String, String> env = new LinkedHashMap<>();
    for (var var : pod.getContainers().get(0).getEnv()) {
      env.put(var.getName(), var.getValueFrom() == null ? var.getValue()
          : var.getName().equals("AWS_ACCESS_KEY_ID") ? "access" : "secret");
    }
    return env;
  }

  private static PodSpec minimalPod(io.fabric8.kubernetes.api.model.Container container) {
    return new PodSpecBuilder().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
        .withContainers(container).build();
  }

  /** "flag value" for each flag and its value, so a test can look for pairs. */
  static List<String> pairs(List<String> args) {
    List<String> pairs = new java.util.ArrayList<>();
    for (int i = 0; i + 1 < args.size(); i++) {
      pairs.add(args.get(i) + " " + args.get(i + 1));
    }
    return Collections.unmodifiableList(pairs);
  }
}
