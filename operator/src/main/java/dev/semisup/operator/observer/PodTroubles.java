package dev.semisup.operator.observer;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads a pod's status as the scheduler and the kubelet write it, for the states that never end on their own. */
public final class PodTroubles {

  private static final Set<String> IMAGE_PULL = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName");
  private static final int MAX_MESSAGE = 300;

  private PodTroubles() {
  }

  public static Optional<PodTrouble> of(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    String name = pod.getMetadata().getName();
    List<PodCondition> conditions = pod.getStatus().getConditions() == null ? List.of() : pod.getStatus().getConditions();
    for (PodCondition condition : conditions) {
      if ("PodScheduled".equals(condition.getType()) && "False".equals(condition.getStatus())
          && "Unschedulable".equals(condition.getReason())) {
        return Optional.of(new PodTrouble(PodTrouble.Kind.UNSCHEDULABLE, name, bounded(condition.getMessage())));
      }
    }
    for (ContainerStatus container : ContainerStatuses.inStartOrder(pod.getStatus())) {
      var waiting = container.getState() == null ? null : container.getState().getWaiting();
      if (waiting == null || waiting.getReason() == null) {
        continue;
      }
      if (IMAGE_PULL.contains(waiting.getReason())) {
        return Optional.of(new PodTrouble(PodTrouble.Kind.IMAGE_PULL, name,
            waiting.getReason() + " " + container.getImage() + ": " + bounded(waiting.getMessage())));
      }
      if ("CreateContainerConfigError".equals(waiting.getReason())) {
        return Optional.of(new PodTrouble(PodTrouble.Kind.CONTAINER_CONFIG, name, bounded(waiting.getMessage())));
      }
    }
    return Optional.empty();
  }

  private static String bounded(String message) {
    if (message == null) {
      return "";
    }
    String line = message.strip();
    return line.length() > MAX_MESSAGE ? line.substring(0, MAX_MESSAGE) + "..." : line;
  }
}
