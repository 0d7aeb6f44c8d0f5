package dev.semisup.e2e.container;

import java.util.List;

/** A pod template asks for something the container runner does not translate into podman's terms. */
public final class UntranslatedPodException extends IllegalArgumentException {

  public UntranslatedPodException(List<String> fields) {
    super("the container runner cannot run this pod as a cluster would: " + String.join("; ", fields));
  }
}
