package dev.semisup.operator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.naming.RunName;
import dev.semisup.api.naming.StepJobName;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.SamplingSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import dev.semisup.api.v1alpha1.StepResourcesSpec;
import org.junit.jupiter.api.Test;

class StageJobFactoryTest {

  private final SemiSupervisedRun run = owned(Runs.run("fmnist"));

  private static SemiSupervisedRun owned(SemiSupervisedRun run) {
    run.getMetadata().setUid("0b6f1c1e-8d59-4a43-9a4e-6f1d2c3b4a5e");
    return run;
  }

  private Job job(String stepId, int attempt) {
    SemiSupervisedRunSpec spec = run.getSpec();
    return StageJobFactory.jobFor(run, spec, StagePlan.of(spec).require(stepId), attempt);
  }

  @Test
  void teacherJobCarriesNameLabelsOwnerAndRetries() {
    Job job = job("teacher", 1);

    assertThat(job.getMetadata().getName()).isEqualTo("fmnist-teacher");
    assertThat(job.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "semisup-worker")
        .containsEntry("app.kubernetes.io/instance", "fmnist")
        .containsEntry("app.kubernetes.io/component", "teacher")
        .containsEntry("app.kubernetes.io/managed-by", "semisup-operator")
        .containsEntry("semisup.dev/run", "fmnist")
        .containsEntry("semisup.dev/stage", "teacher")
        .doesNotContainKey("kueue.x-k8s.io/queue-name");
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(job.getMetadata().getLabels());
    var owner = job.getMetadata().getOwnerReferences().get(0);
    assertThat(owner.getApiVersion()).isEqualTo("semisup.dev/v1alpha1");
    assertThat(owner.getKind()).isEqualTo("SemiSupervisedRun");
    assertThat(owner.getName()).isEqualTo("fmnist");
    assertThat(owner.getUid()).isEqualTo("0b6f1c1e-8d59-4a43-9a4e-6f1d2c3b4a5e");
    assertThat(owner.getController()).isTrue();
    assertThat(owner.getBlockOwnerDeletion()).isTrue();
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(2);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
    assertThat(job.getSpec().getCompletionMode()).isNull();
    assertThat(job.getSpec().getCompletions()).isEqualTo(1);
  }

  @Test
  void retryAttemptsGetASuffix() {
    assertThat(job("select", 2).getMetadata().getName()).isEqualTo("fmnist-select-a2");
    assertThat(job("select", 2).getMetadata().getLabels()).containsEntry("semisup.dev/attempt", "2");
    String longRun = "r".repeat(70);
    String third = StageJobs.jobName(longRun, "finetune-r2", 3);
    String fourth = StageJobs.jobName(longRun, "finetune-r2", 4);
    // Cut to leave room for the highest shard index, kept apart by a hash of the whole name.
    assertThat(third).hasSize(63 - ("-" + (SamplingSpec.MAX_SHARDS - 1)).length()).matches("r+-[0-9a-f]{8}");
    assertThat(fourth).hasSize(third.length()).isNotEqualTo(third);
    assertThat(StageJobs.jobName("r".repeat(71), "finetune-r2", 3)).isNotEqualTo(third);
  }

  /**
   * The longest name a run may have, the most rounds and shards: every Job of the plan, first
   * attempt and retries, is one the API server accepts (its Indexed Jobs' pod host names included).
   */
  @Test
  void everyJobOfTheLongestRunNameIsOneTheApiServerAccepts() {
    SemiSupervisedRun longest = owned(Runs.run("r".repeat(RunName.MAX_LENGTH)));
    SemiSupervisedRunSpec spec = longest.getSpec();
    spec.setRounds(SemiSupervisedRunSpec.MAX_ROUNDS);
    spec.getSampling().setShards(SamplingSpec.MAX_SHARDS);
    spec.getSampling().setPackShards(SamplingSpec.MAX_SHARDS);
    List<PlannedStep> steps = StagePlan.of(spec).steps();
    assertThat(steps).extracting(PlannedStep::id).contains("teacher", "infer", "pack", "finetune-r10");
    List<String> refused = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> cut = new ArrayList<>();
    for (PlannedStep step : steps) {
      for (int attempt : new int[] {1, 2, 9, 10, 99, 100, 1000, Integer.MAX_VALUE}) {
        Job job = StageJobFactory.jobFor(longest, spec, step, attempt);
        ApiServerJobRules.problems(job).forEach(p -> refused.add(step.id() + " attempt " + attempt + ": " + p));
        String plain = longest.getMetadata().getName() + "-" + step.id() + (attempt > 1 ? "-a" + attempt : "");
        if (attempt <= StepJobName.READABLE_ATTEMPTS && !job.getMetadata().getName().equals(plain)) {
          cut.add(job.getMetadata().getName() + " instead of " + plain);
        }
        names.add(job.getMetadata().getName());
        // A torch-ddp step's worker completion follows its trainer group, one Job per attempt.
        Job completion = StageJobFactory.completionJobFor(longest, spec, step, attempt);
        ApiServerJobRules.problems(completion)
            .forEach(p -> refused.add(step.id() + " completion, attempt " + attempt + ": " + p));
        if (attempt <= StepJobName.READABLE_ATTEMPTS && !completion.getMetadata().getName().equals(plain + "-done")) {
          cut.add(completion.getMetadata().getName() + " instead of " + plain + "-done");
        }
        assertThat(completion.getMetadata().getName()).hasSizeLessThanOrEqualTo(StepJobName.DNS_LABEL_LENGTH);
        names.add(completion.getMetadata().getName());
      }
    }
    assertThat(refused).isEmpty();
    assertThat(cut).as("names cut below attempt %d", StepJobName.READABLE_ATTEMPTS).isEmpty();
    assertThat(new HashSet<>(names)).as("no two Jobs share a name").hasSameSizeAs(names);
  }

  /** The test's own rule refuses what the API server refuses, so the test above can fail. */
  @Test
  void theApiServerRuleRefusesAnIndexedJobWhoseLastPodNameIsTooLong() {
    Job infer = job("infer", 1);
    assertThat(ApiServerJobRules.problems(infer)).isEmpty();
    infer.getMetadata().setName("j".repeat(62));
    assertThat(ApiServerJobRules.problems(infer)).singleElement().asString()
        .contains("invalid DNS label", "j".repeat(62) + "-1");
    Job teacher = job("teacher", 1);
    teacher.getMetadata().setName("j".repeat(64));
    assertThat(ApiServerJobRules.problems(teacher)).isNotEmpty();
  }

  @Test
  void exitCodeTwoFailsTheJobAtOnceAndDisruptionsDoNotCount() {
    for (String step : List.of("teacher", "infer")) {
      var rules = job(step, 1).getSpec().getPodFailurePolicy().getRules();
      assertThat(rules).hasSize(2);
      assertThat(rules.get(0).getAction()).isEqualTo("FailJob");
      assertThat(rules.get(0).getOnExitCodes().getContainerName()).isEqualTo("worker");
      assertThat(rules.get(0).getOnExitCodes().getOperator()).isEqualTo("In");
      assertThat(rules.get(0).getOnExitCodes().getValues()).containsExactly(2);
      assertThat(rules.get(1).getAction()).isEqualTo("Ignore");
      assertThat(rules.get(1).getOnPodConditions()).singleElement().satisfies(c -> {
        assertThat(c.getType()).isEqualTo("DisruptionTarget");
        assertThat(c.getStatus()).isEqualTo("True");
      });
    }
    // A pod failure policy is only allowed with restartPolicy Never.
    assertThat(pod(job("infer", 1)).getRestartPolicy()).isEqualTo("Never");
  }

  @Test
  void shardedStepsRetryPerShardAndOthersPerJob() {
    run.getSpec().getResources().setRetries(3);
    Job infer = job("infer", 1);
    assertThat(infer.getSpec().getBackoffLimitPerIndex()).isEqualTo(3);
    assertThat(infer.getSpec().getBackoffLimit()).as("left to Kubernetes when per-index limits are set").isNull();
    Job teacher = job("teacher", 1);
    assertThat(teacher.getSpec().getBackoffLimit()).isEqualTo(3);
    assertThat(teacher.getSpec().getBackoffLimitPerIndex()).isNull();
  }

  @Test
  void aStepDeadlineBecomesTheJobsActiveDeadline() {
    assertThat(job("teacher", 1).getSpec().getActiveDeadlineSeconds()).isNull();
    run.getSpec().getResources().setStepDeadlineSeconds(7200L);
    assertThat(job("teacher", 1).getSpec().getActiveDeadlineSeconds()).isEqualTo(7200L);
    assertThat(job("infer", 1).getSpec().getActiveDeadlineSeconds()).isEqualTo(7200L);
  }

  @Test
  void inferIsAnIndexedJobWithOnePodPerShard() {
    Job job = job("infer", 1);
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(job.getSpec().getCompletions()).isEqualTo(2);
    assertThat(job.getSpec().getParallelism()).isEqualTo(2);
  }

  @Test
  void podRunsTheStageCommandWithTheSpecAndSecretRefsOnly() throws Exception {
    Container container = pod(job("infer", 1)).getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("ghcr.io/semisup/semisup-worker:0.1.0");
    assertThat(container.getCommand()).containsExactly("semisup", "stage", "infer");
    Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(Manifests.parseSpec(env.get("SEMISUP_SPEC").getValue(), "env").getSampling().getShards()).isEqualTo(2);
    assertThat(env.get("SEMISUP_RUN_NAME").getValue()).isEqualTo("fmnist");
    assertThat(env.get("SEMISUP_RUN_NAMESPACE").getValue()).isEqualTo("ml");
    assertThat(env.get("SEMISUP_STORE_PREFIX").getValue()).isEqualTo("runs/ml/fmnist");
    assertThat(env.get("SEMISUP_RUN_UID").getValue()).isEqualTo("0b6f1c1e-8d59-4a43-9a4e-6f1d2c3b4a5e");
    assertThat(env.get("OPT_OUT_TRACKING").getValue()).isEqualTo("true");
    for (var pair : List.of(List.of("AWS_ACCESS_KEY_ID", "accessKey"), List.of("AWS_SECRET_ACCESS_KEY", "secretKey"))) {
      EnvVar credential = env.get(pair.get(0));
      assertThat(credential.getValue()).isNull();
      assertThat(credential.getValueFrom().getSecretKeyRef().getName()).isEqualTo("s3-credentials");
      assertThat(credential.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(pair.get(1));
    }
    // Only the two credentials come from elsewhere; every other value is the operator's own.
    assertThat(container.getEnv().stream().filter(e -> e.getValueFrom() != null)).hasSize(2);
    assertThat(container.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
  }

  @Test
  void aTorchDdpStepsCompletionJobRunsTheWorkersCompletionOnTheCpu() {
    SemiSupervisedRunSpec spec = Runs.withTorchDdpStudent(run.getSpec(), 2, 8);
    spec.getResources().setGpus(1);
    spec.getResources().setCpu("3");
    spec.getResources().setMemory("6Gi");
    spec.getResources().setImage("registry.local/semisup-worker:dev");
    spec.getResources().setQueueName("team-a");
    PlannedStep finetune = StagePlan.of(spec).require("finetune");

    Job job = StageJobFactory.completionJobFor(run, spec, finetune, 2);

    assertThat(job.getMetadata().getName()).isEqualTo("fmnist-finetune-a2-done");
    assertThat(job.getMetadata().getLabels()).containsEntry("semisup.dev/part", "completion")
        .containsEntry("semisup.dev/stage", "finetune").containsEntry("semisup.dev/attempt", "2")
        .containsEntry("app.kubernetes.io/managed-by", "semisup-operator")
        .containsEntry("kueue.x-k8s.io/queue-name", "team-a");
    assertThat(StageJobs.isCompletion(job)).isTrue();
    assertThat(StageJobs.isCompletion(StageJobFactory.jobFor(run, spec, finetune, 2))).isFalse();
    assertThat(job.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getController()).isTrue());
    assertThat(job.getSpec().getCompletionMode()).isNull();
    assertThat(job.getSpec().getCompletions()).isEqualTo(1);
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(2);
    assertThat(job.getSpec().getPodFailurePolicy().getRules().get(0).getOnExitCodes().getValues()).containsExactly(2);
    PodSpec pod = pod(job);
    Container container = pod.getContainers().get(0);
    assertThat(container.getName()).isEqualTo("worker");
    assertThat(container.getImage()).isEqualTo("registry.local/semisup-worker:dev");
    assertThat(container.getCommand()).containsExactly("semisup", "stage", "--complete", "finetune");
    Map<String, Quantity> cpuOnly = Map.of("cpu", new Quantity("3"), "memory", new Quantity("6Gi"));
    assertThat(container.getResources().getRequests()).isEqualTo(cpuOnly);
    assertThat(container.getResources().getLimits()).isEqualTo(cpuOnly);
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env.get("SEMISUP_STORE_PREFIX").getValue()).isEqualTo("runs/ml/fmnist");
    assertThat(env.get("AWS_SECRET_ACCESS_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("s3-credentials");
    assertThat(env).doesNotContainKeys("MASTER_ADDR", "NODE_RANK");
  }

  @Test
  void podIsNonRootReadOnlyWithoutApiToken() {
    PodSpec pod = pod(job("teacher", 1));
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getServiceAccountName()).isEqualTo("semisup-worker");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
    var security = pod.getContainers().get(0).getSecurityContext();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getRunAsUser()).isEqualTo(1000L);
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(pod.getContainers().get(0).getVolumeMounts()).singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes()).singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @Test
  void resourcesSchedulingAndThreadsFollowTheSpec() {
    var resources = run.getSpec().getResources();
    resources.setGpus(1);
    resources.setCpu("3500m");
    resources.setMemory("6Gi");
    resources.setNodeSelector(Map.of("nvidia.com/gpu.product", "NVIDIA-H100"));
    resources.setTolerations(List.of(new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists")
        .withEffect("NoSchedule").build()));
    resources.setPriorityClassName("batch-low");
    resources.setQueueName("team-a");
    resources.setRetries(5);
    resources.setTtlSecondsAfterFinished(600);
    resources.setServiceAccountName("trainer");
    resources.setImage("registry.local/semisup-worker:dev");

    Job job = job("student", 1);
    PodSpec pod = pod(job);
    Container container = pod.getContainers().get(0);
    Map<String, Quantity> expected = Map.of("cpu", new Quantity("3500m"), "memory", new Quantity("6Gi"),
        "nvidia.com/gpu", new Quantity("1"));
    assertThat(container.getResources().getRequests()).isEqualTo(expected);
    assertThat(container.getResources().getLimits()).isEqualTo(expected);
    assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.product", "NVIDIA-H100");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    assertThat(pod.getPriorityClassName()).isEqualTo("batch-low");
    assertThat(pod.getServiceAccountName()).isEqualTo("trainer");
    assertThat(container.getImage()).isEqualTo("registry.local/semisup-worker:dev");
    assertThat(job.getMetadata().getLabels()).containsEntry("kueue.x-k8s.io/queue-name", "team-a");
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(5);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
    Map<String, String> env = container.getEnv().stream().filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env).containsEntry("OMP_NUM_THREADS", "4").containsEntry("SEMISUP_THREADS", "4");
    assertThat(env.get("JAVA_TOOL_OPTIONS")).contains("-Dai.djl.pytorch.num_threads=4");
  }

  @Test
  void eachStepGetsItsOwnResourcesAndSelectAndPackNoGpu() {
    var resources = run.getSpec().getResources();
    resources.setGpus(2);
    resources.setCpu("4");
    resources.setMemory("8Gi");
    resources.getSteps().put("select", new StepResourcesSpec(null, "1", "32Gi"));
    resources.getSteps().put("infer", new StepResourcesSpec(4, "8", null));
    Container select = pod(job("select", 1)).getContainers().get(0);
    assertThat(select.getResources().getLimits()).isEqualTo(Map.of("cpu", new Quantity("1"), "memory", new Quantity("32Gi")));
    assertThat(select.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("SEMISUP_THREADS");
      assertThat(e.getValue()).isEqualTo("1");
    });
    Container pack = pod(job("pack", 1)).getContainers().get(0);
    assertThat(pack.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
    Container infer = pod(job("infer", 1)).getContainers().get(0);
    assertThat(infer.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("4"))
        .containsEntry("cpu", new Quantity("8")).containsEntry("memory", new Quantity("8Gi"));
    Container teacher = pod(job("teacher", 1)).getContainers().get(0);
    assertThat(teacher.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("2"));
  }

  @Test
  void noGpuMeansNoGpuResource() {
    Container container = pod(job("select", 1)).getContainers().get(0);
    assertThat(container.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
    assertThat(StageJobFactory.threads("500m")).isEqualTo(1);
    assertThat(StageJobFactory.threads("2")).isEqualTo(2);
  }

  private static PodSpec pod(Job job) {
    return job.getSpec().getTemplate().getSpec();
  }
}
