package dev.semisup.operator.jobs;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.plan.StepEngine;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.ResourcesSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A torch-ddp step's pods: one Indexed Job of {@code nodes} pods that train as one group, and the
 * headless Service that gives each pod the stable host name {@code <job>-<index>.<service>}, so
 * every rank finds rank 0 (MASTER_ADDR) before any of them is ready. Pure, like the Job factory.
 */
public final class PodGroup {

  public static final String CONTAINER = "trainer";
  /** The init container of the worker image that claims the run's prefix before the trainer starts. */
  public static final String CLAIM_CONTAINER = "claim";
  /** The trainer image when neither spec.trainer.image nor the operator's TRAINER_IMAGE names one. */
  public static final String DEFAULT_IMAGE = "ghcr.io/semisup/semisup-trainer:0.1.0";
  /** torchrun's rendezvous port on the pod of completion index 0. */
  public static final int MASTER_PORT = 29500;
  public static final String ENV_MASTER_ADDR = "MASTER_ADDR";
  public static final String ENV_MASTER_PORT = "MASTER_PORT";
  public static final String ENV_NNODES = "NNODES";
  public static final String ENV_NODE_RANK = "NODE_RANK";
  public static final String ENV_NPROC_PER_NODE = "NPROC_PER_NODE";
  /** The Job controller writes each pod's completion index into this annotation. */
  public static final String COMPLETION_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";
  /**
   * The trainer contract's launch line; Kubernetes expands {@code $(NAME)} from the container's
   * environment, so no shell is needed. The step id follows as the container's argument.
   */
  public static final List<String> DEFAULT_COMMAND = List.of("torchrun",
      "--nnodes=$(" + ENV_NNODES + ")", "--node-rank=$(" + ENV_NODE_RANK + ")",
      "--nproc-per-node=$(" + ENV_NPROC_PER_NODE + ")", "--master-addr=$(" + ENV_MASTER_ADDR + ")",
      "--master-port=$(" + ENV_MASTER_PORT + ")", "-m", "semisup_trainer");

  private PodGroup() {
  }

  /** The torch-ddp block of the step, or empty when the worker trains it (or it trains nothing). */
  public static Optional<EngineSpec> of(SemiSupervisedRunSpec spec, PlannedStep step) {
    return StepEngine.torchDdp(spec, step.stage());
  }

  /**
   * The steps that run as pod groups, with how often each group may restart after a pod failure:
   * {@code resources.retries}, the same budget a single-pod step has for its pod's retries.
   */
  public static Map<String, Integer> restartLimits(SemiSupervisedRunSpec spec, StagePlan plan) {
    ResourcesSpec resources = spec.getResources() == null ? new ResourcesSpec() : spec.getResources();
    int retries = resources.getRetries() == null ? 0 : resources.getRetries();
    Map<String, Integer> limits = new LinkedHashMap<>();
    for (PlannedStep step : plan.steps()) {
      of(spec, step).ifPresent(engine -> limits.put(step.id(), retries));
    }
    return limits;
  }

  /**
   * The Service of a group Job: the Job's name, which is a DNS-1123 label; a Service name must
   * also start with a letter (DNS-1035), so a name starting with a digit gets an "s" in front
   * (a Job name leaves room for it: see StepJobName).
   */
  public static String serviceName(String jobName) {
    return Character.isLetter(jobName.charAt(0)) ? jobName : "s" + jobName;
  }

  /** Headless, selecting this attempt's pods, publishing them before they are ready (rendezvous comes first). */
  public static Service serviceFor(SemiSupervisedRun run, String jobName, Map<String, String> jobLabels) {
    Map<String, String> selector = new LinkedHashMap<>();
    for (String key : List.of(StageJobs.RUN, StageJobs.STEP, StageJobs.ATTEMPT)) {
      selector.put(key, jobLabels.get(key));
    }
    Map<String, String> labels = new LinkedHashMap<>(jobLabels);
    labels.remove(StageJobs.KUEUE_QUEUE);
    return new ServiceBuilder()
        .withNewMetadata()
          .withName(serviceName(jobName))
          .withNamespace(run.getMetadata().getNamespace())
          .withLabels(labels)
          .withOwnerReferences(StageJobFactory.ownerOf(run))
        .endMetadata()
        .withNewSpec()
          .withClusterIP("None")
          .withSelector(selector)
          .withPublishNotReadyAddresses(true)
          .addNewPort().withName("rendezvous").withPort(MASTER_PORT).withProtocol("TCP").endPort()
        .endSpec()
        .build();
  }

  /** torchrun's launcher environment of one pod; NODE_RANK is the pod's own completion index. */
  static List<EnvVar> launcherEnv(String jobName, EngineSpec engine) {
    List<EnvVar> env = new ArrayList<>();
    env.add(literal(ENV_MASTER_ADDR, jobName + "-0." + serviceName(jobName)));
    env.add(literal(ENV_MASTER_PORT, Integer.toString(MASTER_PORT)));
    env.add(literal(ENV_NNODES, Integer.toString(engine.nodesOrDefault())));
    env.add(new EnvVarBuilder().withName(ENV_NODE_RANK).withNewValueFrom().withNewFieldRef()
        .withFieldPath("metadata.annotations['" + COMPLETION_INDEX_ANNOTATION + "']").endFieldRef().endValueFrom()
        .build());
    env.add(literal(ENV_NPROC_PER_NODE, Integer.toString(Math.max(1, engine.gpusPerNodeOrDefault()))));
    return env;
  }

  /** spec.trainer.command, else the contract's torchrun line. */
  static List<String> command(SemiSupervisedRunSpec spec) {
    if (spec.getTrainer() != null && spec.getTrainer().getCommand() != null && !spec.getTrainer().getCommand().isEmpty()) {
      return spec.getTrainer().getCommand();
    }
    return DEFAULT_COMMAND;
  }

  /** spec.trainer.image, else the operator's (TRAINER_IMAGE). */
  static String image(SemiSupervisedRunSpec spec, String defaultImage) {
    if (spec.getTrainer() != null && spec.getTrainer().getImage() != null && !spec.getTrainer().getImage().isBlank()) {
      return spec.getTrainer().getImage();
    }
    return defaultImage;
  }

  private static EnvVar literal(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }
}
