package dev.semisup.operator.status;

/**
 * Why a run is where it is: the reason of its conditions, as a type. Code branches on the
 * constant; {@link #word()} is what {@code kubectl} shows.
 */
public enum Reason {
  ACCEPTED("Accepted"),
  STEP_RUNNING("StepRunning"),
  PODS_UNSCHEDULABLE("Unschedulable"),
  IMAGE_PULL_FAILED("ImagePullBackOff"),
  CONTAINER_CONFIG_ERROR("CreateContainerConfigError"),
  PODS_NOT_CREATED("PodsNotCreated"),
  SUSPENDED("Suspended"),
  SUCCEEDED("Succeeded"),
  INVALID_SPEC("InvalidSpec"),
  SECRET_NOT_FOUND("SecretNotFound"),
  SECRET_INCOMPLETE("SecretIncomplete"),
  SECRET_UNREADABLE("SecretUnreadable"),
  STEP_FAILED("StepFailed"),
  JOB_REJECTED("JobRejected"),
  JOB_NAME_TAKEN("JobNameTaken"),
  JOB_LOST("JobLost"),
  PREFIX_OWNED_BY_ANOTHER_RUN("PrefixOwnedByAnotherRun"),
  PREFIX_OUTSIDE_NAMESPACE("PrefixOutsideNamespace"),
  NOT_ALLOWED("NotAllowed"),
  /** The reconcile itself threw (an API call failed, a bug): JOSDK retries it with backoff. */
  RECONCILE_ERROR("ReconcileError");

  private final String word;

  Reason(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }

  /** The reason a condition was written with; conditions are only written from Reasons. */
  public static java.util.Optional<Reason> ofWord(String word) {
    for (Reason reason : values()) {
      if (reason.word.equals(word)) {
        return java.util.Optional.of(reason);
      }
    }
    return java.util.Optional.empty();
  }

  /** Reasons that end a run's progress until a person acts (retry annotation, spec edit, a new run). */
  public boolean fails() {
    return switch (this) {
      case INVALID_SPEC, STEP_FAILED, JOB_REJECTED, JOB_NAME_TAKEN, JOB_LOST, PREFIX_OWNED_BY_ANOTHER_RUN,
          PREFIX_OUTSIDE_NAMESPACE, NOT_ALLOWED -> true;
      default -> false;
    };
  }

  /** A step's failure, retried from that step by a new value of the retry annotation. */
  public boolean stepFailure() {
    return this == STEP_FAILED || this == JOB_REJECTED || this == JOB_NAME_TAKEN || this == JOB_LOST;
  }
}
