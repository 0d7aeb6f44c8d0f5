package dev.semisup.api.report;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Who owns a prefix: written at {@code <prefix>/run.json} before a run's first step and checked by
 * every step, worker and operator. A prefix holding another run's marker is never reused silently,
 * and {@code --fresh} deletes a prefix only when its marker names the run asking.
 *
 * @param namespace the run's namespace ({@code local} for {@code semisup run})
 * @param name the run's name (metadata.name)
 * @param uid the run's Kubernetes UID on a cluster; null for a local run, where the name is the identity
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunMarker(String namespace, String name, String uid) {

  public static final String LOCAL_NAMESPACE = "local";

  public static RunMarker local(String name) {
    return new RunMarker(LOCAL_NAMESPACE, name, null);
  }

  /** True when this marker and {@code other} name the same run (same UID where both have one). */
  public boolean sameRunAs(RunMarker other) {
    if (other == null || !java.util.Objects.equals(namespace, other.namespace) || !java.util.Objects.equals(name, other.name)) {
      return false;
    }
    return uid == null || other.uid == null ? uid == other.uid : uid.equals(other.uid);
  }

  /** How a person names the run in a message: namespace/name (uid). */
  public String describe() {
    return namespace + "/" + name + (uid == null ? "" : " (uid " + uid + ")");
  }
}
