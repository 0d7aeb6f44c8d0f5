package dev.semisup.operator.observer;

/**
 * Why a running step's pods make no progress although its Job neither failed nor succeeded: the
 * Job controller waits forever for a pod that cannot be scheduled, pull its image or be created,
 * so the operator reports it instead of showing Running without end.
 *
 * @param kind    what is wrong
 * @param message the words of Kubernetes (pod condition or container waiting message), bounded
 */
public record PodTrouble(Kind kind, String pod, String message) {

  public enum Kind {
    /** PodScheduled=False with reason Unschedulable. */
    UNSCHEDULABLE("Unschedulable"),
    /** Container waiting in ErrImagePull, ImagePullBackOff or InvalidImageName. */
    IMAGE_PULL("ImagePullBackOff"),
    /** Container waiting in CreateContainerConfigError (a missing Secret, key or ConfigMap). */
    CONTAINER_CONFIG("CreateContainerConfigError"),
    /** The Job is older than the bound and has no pod at all (quota, admission, missing ServiceAccount). */
    NO_PODS("PodsNotCreated");

    private final String word;

    Kind(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  public String describe() {
    return kind.word() + (pod == null ? "" : " (pod " + pod + ")") + (message == null ? "" : ": " + message);
  }
}
