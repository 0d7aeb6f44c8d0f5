package dev.semisup.operator.jobs;

import dev.semisup.api.WorkerContract;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StepResources;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.ResourcesSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one step of a run's plan into its {@code batch/v1} Job. Pure: no I/O, so every field is
 * checked by unit tests.
 *
 * <p>A torch-ddp step is a {@link PodGroup}: an Indexed Job of one pod per node running the
 * trainer image, failing at its first failed pod (the operator restarts the whole group); once
 * it succeeds, a completion Job of the worker image finishes the step ({@link #completionJobFor}).
 * Each of its pods first claims the run's store prefix in an init container of the worker image
 * ({@code semisup stage --claim <step>}), as every worker step does before writing, so the trainer
 * (ours or a run's own {@code trainer.command}) starts only in a prefix that is its run's.
 *
 * <p>The pod gets the run spec as JSON, object-store credentials only as {@code secretKeyRef}s
 * (the operator never copies their values), no Kubernetes API token, a non-root read-only root
 * filesystem with a writable {@code /tmp}, and threads equal to its CPU limit.
 */
public final class StageJobFactory {

  public static final String CONTAINER = "worker";
  public static final String TMP_VOLUME = "tmp";
  public static final String SHM_VOLUME = "shm";
  public static final long RUN_AS_USER = 1000L;
  /**
   * What a pod group's claim asks for: one JVM start and a few object-store requests, on no GPU.
   * Requests equal limits, as the trainer's, so the pod keeps the Guaranteed QoS class.
   */
  static final StepResources CLAIM_RESOURCES = new StepResources(0, "500m", "512Mi");

  private StageJobFactory() {
  }

  /** A Job with the default trainer image for torch-ddp steps (tests; the operator passes its own). */
  public static Job jobFor(SemiSupervisedRun run, SemiSupervisedRunSpec spec, PlannedStep step, int attempt) {
    return jobFor(run, spec, step, attempt, PodGroup.DEFAULT_IMAGE);
  }

  /**
   * @param spec         the spec the Jobs run with (the accepted one, see the reconciler)
   * @param trainerImage the operator's trainer image, for torch-ddp steps without spec.trainer.image
   */
  public static Job jobFor(SemiSupervisedRun run, SemiSupervisedRunSpec spec, PlannedStep step, int attempt,
      String trainerImage) {
    String runName = run.getMetadata().getName();
    String namespace = run.getMetadata().getNamespace();
    ResourcesSpec resources = spec.getResources() == null ? new ResourcesSpec() : spec.getResources();
    Map<String, String> labels = labels(runName, step, attempt, resources);
    String name = StageJobs.jobName(runName, step.id(), attempt);
    Optional<EngineSpec> group = PodGroup.of(spec, step);
    return new JobBuilder()
        .withNewMetadata()
          .withName(name)
          .withNamespace(namespace)
          .withLabels(labels)
          .withOwnerReferences(ownerOf(run))
        .endMetadata()
        .withSpec(group.isPresent()
            ? groupJobSpec(run, spec, step, resources, labels, name, group.get(), trainerImage)
            : jobSpec(run, spec, step, resources, labels))
        .build();
  }

  /**
   * The Job that finishes a torch-ddp step after its trainer pods succeeded: one worker pod running
   * {@code semisup stage --complete <step>}, which checks the module against its card and, for a
   * fine-tune, writes the servable folder and the run's report. It loads one model on the CPU, so
   * it asks for the step's CPU and memory and no GPU. Retries and exit code 2 as any worker Job.
   */
  public static Job completionJobFor(SemiSupervisedRun run, SemiSupervisedRunSpec spec, PlannedStep step,
      int attempt) {
    String runName = run.getMetadata().getName();
    ResourcesSpec resources = spec.getResources() == null ? new ResourcesSpec() : spec.getResources();
    Map<String, String> labels = labels(runName, step, attempt, resources);
    labels.put(StageJobs.PART, StageJobs.COMPLETION);
    StepResources own = StepResources.of(resources, step.stage());
    StepResources cpuOnly = new StepResources(0, own.cpu(), own.memory());
    Container worker = new ContainerBuilder(container(CONTAINER, resources.getImage(), resources.getImagePullPolicy(),
        env(run, spec, cpuOnly), cpuOnly))
        .withCommand(WorkerContract.COMMAND, WorkerContract.STAGE_SUBCOMMAND, WorkerContract.COMPLETE_OPTION,
            step.id())
        .build();
    int retries = resources.getRetries() == null ? 0 : resources.getRetries();
    return new JobBuilder()
        .withNewMetadata()
          .withName(StageJobs.completionJobName(runName, step.id(), attempt))
          .withNamespace(run.getMetadata().getNamespace())
          .withLabels(labels)
          .withOwnerReferences(ownerOf(run))
        .endMetadata()
        .withNewSpec()
          .withTtlSecondsAfterFinished(resources.getTtlSecondsAfterFinished())
          .withActiveDeadlineSeconds(resources.getStepDeadlineSeconds())
          .withPodFailurePolicy(podFailurePolicy(CONTAINER))
          .withCompletions(1).withParallelism(1).withBackoffLimit(retries)
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).endMetadata()
            .withSpec(podSpec(resources, worker).build())
          .endTemplate()
        .endSpec()
        .build();
  }

  public static Map<String, String> labels(String runName, PlannedStep step, int attempt, ResourcesSpec resources) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(StageJobs.NAME, StageJobs.WORKER);
    labels.put(StageJobs.INSTANCE, runName);
    labels.put(StageJobs.COMPONENT, step.stage().wireName());
    labels.put(StageJobs.MANAGED_BY, StageJobs.OPERATOR);
    labels.put(StageJobs.RUN, runName);
    labels.put(StageJobs.STEP, step.id());
    labels.put(StageJobs.ATTEMPT, Integer.toString(attempt));
    if (resources.getQueueName() != null && !resources.getQueueName().isBlank()) {
      labels.put(StageJobs.KUEUE_QUEUE, resources.getQueueName());
    }
    return labels;
  }

  public static OwnerReference ownerOf(SemiSupervisedRun run) {
    return new OwnerReferenceBuilder()
        .withApiVersion(run.getApiVersion())
        .withKind(run.getKind())
        .withName(run.getMetadata().getName())
        .withUid(run.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private static JobSpec jobSpec(SemiSupervisedRun run, SemiSupervisedRunSpec spec, PlannedStep step,
      ResourcesSpec resources, Map<String, String> labels) {
    int retries = resources.getRetries() == null ? 0 : resources.getRetries();
    JobSpecBuilder job = new JobSpecBuilder()
        .withTtlSecondsAfterFinished(resources.getTtlSecondsAfterFinished())
        .withActiveDeadlineSeconds(resources.getStepDeadlineSeconds())
        .withPodFailurePolicy(podFailurePolicy(CONTAINER))
        .withNewTemplate()
          .withNewMetadata().withLabels(labels).endMetadata()
          .withSpec(podSpec(resources, workerContainer(run, spec, step, resources)).build())
        .endTemplate();
    if (step.sharded()) {
      // One pod per shard; Kubernetes gives each its index as JOB_COMPLETION_INDEX. Each shard
      // has its own retries (Kubernetes >= 1.29), so one flaky shard cannot use up the others'.
      job.withCompletionMode("Indexed").withCompletions(step.shards()).withParallelism(step.shards())
          .withBackoffLimitPerIndex(retries);
    } else {
      job.withCompletions(1).withParallelism(1).withBackoffLimit(retries);
    }
    return job.build();
  }

  /**
   * One pod per node, all running at once; the first failed pod fails the Job (backoffLimit 0),
   * whose other pods the Job controller then stops: the decision restarts the whole group as the
   * next attempt (NextAction R22). Each pod's host name {@code <job>-<index>} lives in the
   * subdomain of the group's headless Service.
   */
  private static JobSpec groupJobSpec(SemiSupervisedRun run, SemiSupervisedRunSpec spec, PlannedStep step,
      ResourcesSpec resources, Map<String, String> labels, String jobName, EngineSpec engine, String trainerImage) {
    int nodes = engine.nodesOrDefault();
    StepResources own = StepResources.of(resources, step.stage());
    StepResources perPod = new StepResources(engine.gpusPerNodeOrDefault(), own.cpu(), own.memory());
    // torchrun starts one process per GPU: they share the pod's CPUs.
    int processes = Math.max(1, engine.gpusPerNodeOrDefault());
    List<EnvVar> env = contractEnv(run, spec, Math.max(1, threads(perPod.cpu()) / processes));
    env.addAll(PodGroup.launcherEnv(jobName, engine));
    Container trainer = new ContainerBuilder(container(PodGroup.CONTAINER, PodGroup.image(spec, trainerImage),
        resources.getImagePullPolicy(), env, perPod))
        .withCommand(PodGroup.command(spec))
        .withArgs(step.id())
        .addNewVolumeMount().withName(SHM_VOLUME).withMountPath("/dev/shm").endVolumeMount()
        .build();
    Container claim = new ContainerBuilder(container(PodGroup.CLAIM_CONTAINER, resources.getImage(),
        resources.getImagePullPolicy(), env(run, spec, CLAIM_RESOURCES), CLAIM_RESOURCES))
        .withCommand(WorkerContract.COMMAND, WorkerContract.STAGE_SUBCOMMAND, WorkerContract.CLAIM_OPTION, step.id())
        .build();
    PodSpec pod = podSpec(resources, trainer)
        .withInitContainers(claim)
        .withSubdomain(PodGroup.serviceName(jobName))
        // NCCL and data-loader workers share tensors through /dev/shm, which is 64 MiB by default.
        .addNewVolume().withName(SHM_VOLUME).withNewEmptyDir().withMedium("Memory").endEmptyDir().endVolume()
        .build();
    return new JobSpecBuilder()
        .withTtlSecondsAfterFinished(resources.getTtlSecondsAfterFinished())
        .withActiveDeadlineSeconds(resources.getStepDeadlineSeconds())
        .withPodFailurePolicy(podFailurePolicy(PodGroup.CLAIM_CONTAINER, PodGroup.CONTAINER))
        .withCompletionMode("Indexed").withCompletions(nodes).withParallelism(nodes)
        .withBackoffLimit(0)
        .withNewTemplate()
          .withNewMetadata().withLabels(labels).endMetadata()
          .withSpec(pod)
        .endTemplate()
        .build();
  }

  /**
   * Exit code 2 of any of the containers, init containers included, is bad input
   * (WorkerContract.EXIT_BAD_INPUT): running it again gives the same answer, so the Job fails at
   * once. A pod evicted by a drain or preempted carries the DisruptionTarget condition: not the
   * step's fault, so it does not count against its retries.
   */
  static PodFailurePolicy podFailurePolicy(String... containers) {
    PodFailurePolicyBuilder policy = new PodFailurePolicyBuilder();
    for (String container : containers) {
      // One rule per container: a rule's containerName names one container or init container.
      policy.addNewRule()
          .withAction("FailJob")
          .withNewOnExitCodes().withContainerName(container).withOperator("In")
            .withValues(WorkerContract.EXIT_BAD_INPUT).endOnExitCodes()
        .endRule();
    }
    return policy
        .addNewRule()
          .withAction("Ignore")
          .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition()
        .endRule()
        .build();
  }

  private static PodSpecBuilder podSpec(ResourcesSpec resources, Container container) {
    PodSpecBuilder pod = new PodSpecBuilder()
        .withRestartPolicy("Never")
        .withServiceAccountName(resources.getServiceAccountName())
        .withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
          .withRunAsNonRoot(true)
          .withRunAsUser(RUN_AS_USER)
          .withRunAsGroup(RUN_AS_USER)
          .withFsGroup(RUN_AS_USER)
          .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .withContainers(container)
        .addNewVolume().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().endVolume();
    if (resources.getNodeSelector() != null && !resources.getNodeSelector().isEmpty()) {
      pod.withNodeSelector(resources.getNodeSelector());
    }
    if (resources.getTolerations() != null && !resources.getTolerations().isEmpty()) {
      pod.withTolerations(resources.getTolerations());
    }
    if (resources.getPriorityClassName() != null && !resources.getPriorityClassName().isBlank()) {
      pod.withPriorityClassName(resources.getPriorityClassName());
    }
    return pod;
  }

  private static Container workerContainer(SemiSupervisedRun run, SemiSupervisedRunSpec spec, PlannedStep step,
      ResourcesSpec resources) {
    StepResources own = StepResources.of(resources, step.stage());
    return new ContainerBuilder(container(CONTAINER, resources.getImage(), resources.getImagePullPolicy(),
        env(run, spec, own), own))
        .withCommand(WorkerContract.COMMAND, WorkerContract.STAGE_SUBCOMMAND, step.id())
        .build();
  }

  /** What every step's container has: image, env, resources, a read-only root with a writable /tmp. */
  private static Container container(String name, String image, String pullPolicy, List<EnvVar> env,
      StepResources resources) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(image)
        .withImagePullPolicy(pullPolicy)
        .withEnv(env)
        .withResources(resources(resources))
        .withTerminationMessagePath(WorkerContract.TERMINATION_LOG)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withNewSecurityContext()
          .withRunAsNonRoot(true)
          .withRunAsUser(RUN_AS_USER)
          .withAllowPrivilegeEscalation(false)
          .withReadOnlyRootFilesystem(true)
          .withNewCapabilities().withDrop("ALL").endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount().withName(TMP_VOLUME).withMountPath("/tmp").endVolumeMount()
        .build();
  }

  /** The worker's environment: the contract's, and DJL's threads. */
  static List<EnvVar> env(SemiSupervisedRun run, SemiSupervisedRunSpec spec, StepResources resources) {
    int threads = threads(resources.cpu());
    List<EnvVar> env = contractEnv(run, spec, threads);
    env.add(literal("JAVA_TOOL_OPTIONS", "-Dai.djl.pytorch.num_threads=" + threads
        + " -Dai.djl.pytorch.num_interop_threads=1"));
    // DJL otherwise tries to reach its telemetry endpoint when the engine starts.
    env.add(literal("OPT_OUT_TRACKING", "true"));
    return env;
  }

  /**
   * What every step's container gets (WorkerContract): the spec, the run, the store, and the
   * threads of each of its processes.
   */
  static List<EnvVar> contractEnv(SemiSupervisedRun run, SemiSupervisedRunSpec spec, int threads) {
    String namespace = run.getMetadata().getNamespace();
    String name = run.getMetadata().getName();
    String secret = spec.getStorage().getCredentialsSecret();
    List<EnvVar> env = new ArrayList<>();
    env.add(literal(WorkerContract.ENV_SPEC, Manifests.toJson(spec)));
    env.add(literal(WorkerContract.ENV_RUN_NAME, name));
    env.add(literal(WorkerContract.ENV_RUN_NAMESPACE, namespace));
    // The identity the worker writes into run.json and checks there: a re-created run of the
    // same name has another UID, so it never takes the first one's artifacts for its own.
    env.add(literal(WorkerContract.ENV_RUN_UID, run.getMetadata().getUid()));
    env.add(literal(WorkerContract.ENV_STORE_PREFIX, spec.getStorage().resolvedPrefix(namespace, name)));
    env.add(fromSecret(WorkerContract.ENV_ACCESS_KEY, secret, WorkerContract.SECRET_ACCESS_KEY));
    env.add(fromSecret(WorkerContract.ENV_SECRET_KEY, secret, WorkerContract.SECRET_SECRET_KEY));
    env.add(literal("OMP_NUM_THREADS", Integer.toString(threads)));
    env.add(literal("SEMISUP_THREADS", Integer.toString(threads)));
    return env;
  }

  /** The pod's CPU limit rounded up, at least 1: the worker's intra-op thread count. */
  public static int threads(String cpu) {
    if (cpu == null || cpu.isBlank()) {
      return 1;
    }
    BigDecimal cores = Quantity.getAmountInBytes(new Quantity(cpu));
    return Math.max(1, cores.setScale(0, RoundingMode.CEILING).intValueExact());
  }

  /** The step's own GPUs, CPU and memory (spec.resources.steps.<stage>, see StepResources). */
  private static ResourceRequirements resources(StepResources resources) {
    Map<String, Quantity> amounts = new LinkedHashMap<>();
    if (resources.cpu() != null && !resources.cpu().isBlank()) {
      amounts.put("cpu", new Quantity(resources.cpu()));
    }
    if (resources.memory() != null && !resources.memory().isBlank()) {
      amounts.put("memory", new Quantity(resources.memory()));
    }
    if (resources.gpus() > 0) {
      amounts.put("nvidia.com/gpu", new Quantity(Integer.toString(resources.gpus())));
    }
    // Requests equal limits: a training pod that bursts then gets throttled only runs slower
    // in ways that are hard to see; equal values give the Guaranteed QoS class.
    return new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
        .withRequests(new LinkedHashMap<>(amounts))
        .withLimits(new LinkedHashMap<>(amounts))
        .build();
  }

  private static EnvVar literal(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar fromSecret(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name)
        .withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).withOptional(false)
        .endSecretKeyRef().endValueFrom()
        .build();
  }
}
