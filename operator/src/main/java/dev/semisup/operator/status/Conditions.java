package dev.semisup.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes-style conditions of a run. lastTransitionTime moves only when a condition's status
 * flips, so a reconcile that finds nothing new writes nothing.
 */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String FAILED = "Failed";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String STORAGE_REACHABLE = "StorageReachable";
  public static final String SUSPENDED = "Suspended";
  public static final String SPEC_CHANGE_IGNORED = "SpecChangeIgnored";

  private Conditions() {
  }

  public static void set(List<Condition> conditions, String type, boolean status, String reason, String message,
      String now, Long generation) {
    String value = status ? "True" : "False";
    Optional<Condition> existing = find(conditions, type);
    // One entry per type: drop any second one a concurrent writer may have appended.
    existing.ifPresent(first -> conditions.removeIf(c -> c != first && Objects.equals(type, c.getType())));
    if (existing.isPresent()) {
      Condition condition = existing.get();
      if (!value.equals(condition.getStatus())) {
        condition.setLastTransitionTime(now);
      }
      condition.setStatus(value);
      condition.setReason(reason);
      condition.setMessage(message);
      condition.setObservedGeneration(generation);
      return;
    }
    conditions.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
        .withMessage(message).withLastTransitionTime(now).withObservedGeneration(generation).build());
  }

  /** Sets a condition to False only if it was ever set; conditions that never applied stay absent. */
  public static void clear(List<Condition> conditions, String type, String reason, String message, String now,
      Long generation) {
    if (find(conditions, type).isPresent()) {
      set(conditions, type, false, reason, message, now, generation);
    }
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst();
  }
}
