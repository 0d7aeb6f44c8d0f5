package dev.semisup.operator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.naming.RunName;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.StepResourcesSpec;
import dev.semisup.api.v1alpha1.TrainerSpec;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A torch-ddp step's Indexed Job of one pod per node and its headless Service. */
class PodGroupTest {

  private static final String TRAINER_IMAGE = "registry.test/semisup-trainer:2.7.1-cu128";
  private final SemiSupervisedRun run = owned(Runs.run("fmnist"));

  private static SemiSupervisedRun owned(SemiSupervisedRun run) {
    run.getMetadata().setUid("0b6f1c1e-8d59-4a43-9a4e-6f1d2c3b4a5e");
    Runs.withTorchDdpStudent(run.getSpec(), 2, 8);
    return run;
  }

  private Job job(SemiSupervisedRun of, String stepId, int attempt) {
    SemiSupervisedRunSpec spec = of.getSpec();
    return StageJobFactory.jobFor(of, spec, StagePlan.of(spec).require(stepId), attempt, TRAINER_IMAGE);
  }

  private static Service service(SemiSupervisedRun of, Job job) {
    return PodGroup.serviceFor(of, job.getMetadata().getName(), job.getMetadata().getLabels());
  }

  private static Map<String, EnvVar> env(Container container) {
    return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
  }

  @Test
  void aTorchDdpStudentIsAnIndexedJobOfOnePodPerNodeThatFailsAtItsFirstFailedPod() {
    run.getSpec().getResources().setQueueName("gpu-queue");
    Job job = job(run, "student", 1);
    assertThat(job.getMetadata().getName()).isEqualTo("fmnist-student");
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(job.getSpec().getCompletions()).isEqualTo(2);
    assertThat(job.getSpec().getParallelism()).isEqualTo(2);
    assertThat(job.getSpec().getBackoffLimit()).as("the operator restarts the whole group").isZero();
    assertThat(job.getSpec().getBackoffLimitPerIndex()).as("would restart one rank alone").isNull();
    var rules = job.getSpec().getPodFailurePolicy().getRules();
    assertThat(rules).filteredOn(rule -> rule.getOnExitCodes() != null).as("exit 2 of the claim or the trainer")
        .extracting(rule -> rule.getAction() + " " + rule.getOnExitCodes().getContainerName() + " "
            + rule.getOnExitCodes().getOperator() + " " + rule.getOnExitCodes().getValues())
        .containsExactly("FailJob claim In [2]", "FailJob trainer In [2]");
    assertThat(job.getMetadata().getLabels()).as("Kueue admits the Job, all its pods at once")
        .containsEntry("kueue.x-k8s.io/queue-name", "gpu-queue");
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSubdomain()).isEqualTo("fmnist-student");
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(job.getMetadata().getLabels());
    assertThat(job.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getController()).isTrue());
    assertThat(job(run, "infer", 1).getSpec().getBackoffLimitPerIndex())
        .as("other steps keep the worker").isEqualTo(2);
  }

  @Test
  void theTrainerPodGetsTheWorkerContractAndTorchrunsEnvironment() throws Exception {
    run.getSpec().getResources().getSteps().put("student", new StepResourcesSpec(null, "16", "64Gi"));
    PodSpec pod = job(run, "student", 1).getSpec().getTemplate().getSpec();
    Container trainer = pod.getContainers().get(0);
    assertThat(trainer.getName()).isEqualTo("trainer");
    assertThat(trainer.getImage()).isEqualTo(TRAINER_IMAGE);
    assertThat(trainer.getCommand()).containsExactly("torchrun", "--nnodes=$(NNODES)", "--node-rank=$(NODE_RANK)",
        "--nproc-per-node=$(NPROC_PER_NODE)", "--master-addr=$(MASTER_ADDR)", "--master-port=$(MASTER_PORT)",
        "-m", "semisup_trainer");
    assertThat(trainer.getArgs()).containsExactly("student");
    Map<String, EnvVar> env = env(trainer);
    assertThat(env.get("MASTER_ADDR").getValue()).isEqualTo("fmnist-student-0.fmnist-student");
    assertThat(env.get("MASTER_PORT").getValue()).isEqualTo("29500");
    assertThat(env.get("NNODES").getValue()).isEqualTo("2");
    assertThat(env.get("NPROC_PER_NODE").getValue()).isEqualTo("8");
    assertThat(env.get("NODE_RANK").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    assertThat(env.get("OMP_NUM_THREADS").getValue()).as("16 CPUs shared by 8 processes").isEqualTo("2");
    assertThat(Manifests.parseSpec(env.get("SEMISUP_SPEC").getValue(), "env").getStudent().getEngine().getNodes())
        .isEqualTo(2);
    assertThat(env.get("SEMISUP_RUN_NAME").getValue()).isEqualTo("fmnist");
    assertThat(env.get("SEMISUP_RUN_NAMESPACE").getValue()).isEqualTo("ml");
    assertThat(env.get("SEMISUP_RUN_UID").getValue()).isEqualTo("0b6f1c1e-8d59-4a43-9a4e-6f1d2c3b4a5e");
    assertThat(env.get("SEMISUP_STORE_PREFIX").getValue()).isEqualTo("runs/ml/fmnist");
    assertThat(env.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getName()).isEqualTo("s3-credentials");
    assertThat(env.get("AWS_SECRET_ACCESS_KEY").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("secretKey");
    assertThat(env).as("DJL's settings are the worker's").doesNotContainKeys("JAVA_TOOL_OPTIONS", "OPT_OUT_TRACKING");
    assertThat(trainer.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("8"))
        .containsEntry("cpu", new Quantity("16")).containsEntry("memory", new Quantity("64Gi"));
    assertThat(trainer.getResources().getRequests()).isEqualTo(trainer.getResources().getLimits());
    assertThat(trainer.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(trainer.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/tmp", "/dev/shm");
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("shm"))
        .singleElement().satisfies(v -> assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory"));
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
  }

  /**
   * The trainer never checks the run's prefix: an init container of the worker image claims it as
   * every worker step does, with the worker's environment, Secret references and securityContext
   * (the completion Job's container is the model), on small requests and no GPU.
   */
  @Test
  void eachGroupPodFirstClaimsTheRunsPrefixInAWorkerContainer() {
    run.getSpec().getResources().setImage("registry.test/semisup-worker:9");
    run.getSpec().getResources().getSteps().put("student", new StepResourcesSpec(null, "16", "64Gi"));
    PlannedStep student = StagePlan.of(run.getSpec()).require("student");
    PodSpec pod = job(run, "student", 1).getSpec().getTemplate().getSpec();
    Container worker = StageJobFactory.completionJobFor(run, run.getSpec(), student, 1)
        .getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(pod.getInitContainers()).singleElement().satisfies(claim -> {
      assertThat(claim.getName()).isEqualTo("claim");
      assertThat(claim.getImage()).isEqualTo("registry.test/semisup-worker:9");
      assertThat(claim.getCommand()).containsExactly("semisup", "stage", "--claim", "student");
      assertThat(claim.getArgs()).isNullOrEmpty();
      Map<String, EnvVar> env = env(claim);
      Map<String, EnvVar> workerEnv = env(worker);
      assertThat(env.keySet()).isEqualTo(workerEnv.keySet());
      for (String name : List.of("SEMISUP_SPEC", "SEMISUP_RUN_NAME", "SEMISUP_RUN_NAMESPACE", "SEMISUP_RUN_UID",
          "SEMISUP_STORE_PREFIX", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
        assertThat(env.get(name)).as(name).isEqualTo(workerEnv.get(name));
      }
      assertThat(env.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getName()).isEqualTo("s3-credentials");
      assertThat(env.get("SEMISUP_THREADS").getValue()).isEqualTo("1");
      assertThat(claim.getSecurityContext()).isEqualTo(worker.getSecurityContext());
      assertThat(claim.getVolumeMounts()).isEqualTo(worker.getVolumeMounts());
      assertThat(claim.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
      assertThat(claim.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
      assertThat(claim.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu")
          .containsEntry("cpu", new Quantity("500m")).containsEntry("memory", new Quantity("512Mi"));
      assertThat(claim.getResources().getRequests()).as("the pod stays Guaranteed")
          .isEqualTo(claim.getResources().getLimits());
    });
    assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("trainer");
  }

  @Test
  void aRunBringsItsOwnTrainerImageAndCommand() {
    TrainerSpec own = new TrainerSpec();
    own.setImage("registry.example/my-trainer:3");
    own.setCommand(List.of("python3", "-m", "my_trainer"));
    run.getSpec().setTrainer(own);
    PodSpec pod = job(run, "finetune", 1).getSpec().getTemplate().getSpec();
    Container trainer = pod.getContainers().get(0);
    assertThat(trainer.getImage()).isEqualTo("registry.example/my-trainer:3");
    assertThat(trainer.getCommand()).containsExactly("python3", "-m", "my_trainer");
    assertThat(pod.getInitContainers()).as("its own trainer gets the claim too").singleElement()
        .satisfies(claim -> assertThat(claim.getCommand()).containsExactly("semisup", "stage", "--claim", "finetune"));
    assertThat(trainer.getArgs()).containsExactly("finetune");
    assertThat(env(trainer).get("NNODES").getValue()).isEqualTo("1");
  }

  @Test
  void aCpuGroupAsksForNoGpuAndRunsOneProcessPerPod() {
    run.getSpec().getStudent().setEngine(new EngineSpec(dev.semisup.api.v1alpha1.EngineType.TORCH_DDP, 3, 0));
    Container trainer = job(run, "student", 1).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(trainer.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
    assertThat(env(trainer).get("NPROC_PER_NODE").getValue()).isEqualTo("1");
    assertThat(env(trainer).get("OMP_NUM_THREADS").getValue()).isEqualTo("2");
  }

  @Test
  void theHeadlessServiceSelectsThisAttemptsPodsAndPublishesThemBeforeTheyAreReady() {
    run.getSpec().getResources().setQueueName("gpu-queue");
    Job job = job(run, "student", 2);
    Service service = service(run, job);
    assertThat(service.getMetadata().getName()).isEqualTo("fmnist-student-a2")
        .isEqualTo(job.getSpec().getTemplate().getSpec().getSubdomain());
    assertThat(service.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(service.getSpec().getSelector()).containsOnly(Map.entry("semisup.dev/run", "fmnist"),
        Map.entry("semisup.dev/stage", "student"), Map.entry("semisup.dev/attempt", "2"));
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getMetadata().getLabels()).doesNotContainKey("kueue.x-k8s.io/queue-name");
    assertThat(service.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
      assertThat(owner.getUid()).isEqualTo("0b6f1c1e-8d59-4a43-9a4e-6f1d2c3b4a5e");
      assertThat(owner.getController()).isTrue();
    });
    assertThat(env(job.getSpec().getTemplate().getSpec().getContainers().get(0)).get("MASTER_ADDR").getValue())
        .isEqualTo("fmnist-student-a2-0.fmnist-student-a2");
  }

  /**
   * The longest run names, one starting with a digit, the most nodes, and attempts up to the
   * largest: every group Job and Service is one the API server accepts, and each pod's host name
   * and the Service's name make a resolvable MASTER_ADDR.
   */
  @Test
  void everyGroupJobAndServiceOfTheLongestRunNamesIsOneTheApiServerAccepts() {
    List<String> refused = new ArrayList<>();
    for (String name : List.of("r".repeat(RunName.MAX_LENGTH), "7" + "r".repeat(RunName.MAX_LENGTH - 1), "7")) {
      SemiSupervisedRun longest = owned(Runs.run(name));
      SemiSupervisedRunSpec spec = longest.getSpec();
      spec.setRounds(SemiSupervisedRunSpec.MAX_ROUNDS);
      spec.getStudent().getEngine().setNodes(EngineSpec.MAX_NODES);
      spec.getStudent().getFinetuneEngine().setNodes(EngineSpec.MAX_NODES);
      for (PlannedStep step : StagePlan.of(spec).steps()) {
        if (PodGroup.of(spec, step).isEmpty()) {
          continue;
        }
        for (int attempt : new int[] {1, 2, 99, 100, Integer.MAX_VALUE}) {
          Job job = StageJobFactory.jobFor(longest, spec, step, attempt, TRAINER_IMAGE);
          Service service = service(longest, job);
          ApiServerJobRules.problems(job).forEach(p -> refused.add(job.getMetadata().getName() + ": " + p));
          ApiServerJobRules.problems(service).forEach(p -> refused.add(service.getMetadata().getName() + ": " + p));
          String lastHost = job.getMetadata().getName() + "-" + (EngineSpec.MAX_NODES - 1);
          assertThat(lastHost.length()).isLessThanOrEqualTo(63);
        }
      }
    }
    assertThat(refused).isEmpty();
    assertThat(PodGroup.serviceName("7run-student")).isEqualTo("s7run-student");
  }

  /** The test's own rule refuses what the API server refuses, so the test above can fail. */
  @Test
  void theApiServerRuleRefusesAServiceNameStartingWithADigit() {
    Job job = job(run, "student", 1);
    Service service = service(run, job);
    service.getMetadata().setName("7run-student");
    assertThat(ApiServerJobRules.problems(service)).singleElement().asString().contains("DNS-1035");
    service.getMetadata().setName("s".repeat(64));
    assertThat(ApiServerJobRules.problems(service)).isNotEmpty();
    job.getSpec().getTemplate().getSpec().setSubdomain("Not_A_Label");
    assertThat(ApiServerJobRules.problems(job)).singleElement().asString().contains("subdomain");
    job.getSpec().getTemplate().getSpec().setSubdomain(null);
    job.getSpec().getTemplate().getSpec().getInitContainers().get(0).setName("trainer");
    assertThat(ApiServerJobRules.problems(job)).as("a duplicate name, and a rule naming no container")
        .anySatisfy(p -> assertThat(p).contains("Duplicate value: \"trainer\""))
        .anySatisfy(p -> assertThat(p).contains("podFailurePolicy", "claim"));
  }

  @Test
  void restartLimitsNameTheGroupStepsWithTheRunsRetries() {
    run.getSpec().getResources().setRetries(3);
    run.getSpec().setRounds(2);
    assertThat(PodGroup.restartLimits(run.getSpec(), StagePlan.of(run.getSpec()))).containsOnly(
        Map.entry("student", 3), Map.entry("finetune", 3), Map.entry("student-r2", 3), Map.entry("finetune-r2", 3));
    assertThat(PodGroup.restartLimits(Runs.spec(), StagePlan.of(Runs.spec()))).isEmpty();
  }
}
