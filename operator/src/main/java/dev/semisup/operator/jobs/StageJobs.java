package dev.semisup.operator.jobs;

import dev.semisup.api.naming.StepJobName;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Map;

/**
 * Names and labels of stage Jobs, and finding a step's Jobs among those the run owns. The names
 * themselves follow {@link StepJobName}: {@code <run>-<step>}, {@code -a<N>} for a retry.
 */
public final class StageJobs {

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String RUN = "semisup.dev/run";
  public static final String STEP = "semisup.dev/stage";
  public static final String ATTEMPT = "semisup.dev/attempt";
  public static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";
  /** On the Job that completes a torch-ddp step after its trainer pods; a step's own Jobs have none. */
  public static final String PART = "semisup.dev/part";
  public static final String COMPLETION = "completion";
  /** What a completion Job's name adds to its step Job's name. */
  public static final String COMPLETION_SUFFIX = "-done";
  public static final String WORKER = "semisup-worker";
  public static final String OPERATOR = "semisup-operator";
  /** Selector of every Job this operator made (the informer's label selector). */
  public static final String SELECTOR = MANAGED_BY + "=" + OPERATOR;

  private StageJobs() {
  }

  public static String jobName(String run, String stepId, int attempt) {
    return StepJobName.of(run, stepId, attempt);
  }

  /**
   * The Job that completes a pod group's attempt: its step Job's name and "-done". A step Job's
   * name keeps room for "-" and the highest shard index (StepJobName.MAX_LENGTH), which this Job,
   * not Indexed, does not need, so the suffix always fits a DNS-1123 label.
   */
  public static String completionJobName(String run, String stepId, int attempt) {
    return StepJobName.of(run, stepId, attempt) + COMPLETION_SUFFIX;
  }

  /** A Job that completes a torch-ddp step, not one of the step's own. */
  public static boolean isCompletion(Job job) {
    return COMPLETION.equals(labels(job).get(PART));
  }

  public static int attemptOf(Job job) {
    String value = labels(job).get(ATTEMPT);
    try {
      return value == null ? 1 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** The UID of the object's controller owner, or null when it has none: the only proof a Job or Service is a run's. */
  public static String controllerUid(HasMetadata job) {
    if (job.getMetadata().getOwnerReferences() == null) {
      return null;
    }
    return job.getMetadata().getOwnerReferences().stream()
        .filter(owner -> Boolean.TRUE.equals(owner.getController()))
        .map(owner -> owner.getUid())
        .findFirst().orElse(null);
  }

  public static String stepOf(Job job) {
    return labels(job).get(STEP);
  }

  private static Map<String, String> labels(Job job) {
    Map<String, String> labels = job.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }

}
