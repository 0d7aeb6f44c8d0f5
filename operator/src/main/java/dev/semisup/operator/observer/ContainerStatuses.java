package dev.semisup.operator.observer;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.List;

/** A pod's container statuses in the order the kubelet starts them: init containers first. */
public final class ContainerStatuses {

  private ContainerStatuses() {
  }

  /**
   * While an init container waits or has failed, the pod's other containers wait behind it
   * (PodInitializing), so what it says is the pod's story.
   */
  public static List<ContainerStatus> inStartOrder(PodStatus status) {
    List<ContainerStatus> containers = new ArrayList<>();
    if (status == null) {
      return containers;
    }
    if (status.getInitContainerStatuses() != null) {
      containers.addAll(status.getInitContainerStatuses());
    }
    if (status.getContainerStatuses() != null) {
      containers.addAll(status.getContainerStatuses());
    }
    return containers;
  }
}
