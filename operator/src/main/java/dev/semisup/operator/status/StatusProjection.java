package dev.semisup.operator.status;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunStatus;
import dev.semisup.operator.observer.StoreHealth;
import java.time.Duration;
import java.util.List;

/**
 * The one place that writes a run's conditions: each follows from the reconcile's
 * {@link Outcome} (phase, step, typed reason), whether a suspend is pending, and the store's
 * last answer. Nothing else sets Ready, Progressing, Failed, Suspended, InvalidSpec or
 * StorageReachable, so they cannot contradict each other.
 */
public final class StatusProjection {

  private final String now;
  private final Long generation;

  public StatusProjection(String now, Long generation) {
    this.now = now;
    this.generation = generation;
  }

  public void project(SemiSupervisedRunStatus status, Outcome outcome, boolean suspendRequested) {
    List<io.fabric8.kubernetes.api.model.Condition> conditions = status.getConditions();
    status.setPhase(outcome.phase());
    if (outcome.step() != null) {
      status.setStage(outcome.step());
    }
    String why = outcome.reason().word();
    switch (outcome.phase()) {
      case Succeeded -> {
        set(conditions, Conditions.READY, true, why, outcome.message());
        set(conditions, Conditions.PROGRESSING, false, why, outcome.message());
        clear(conditions, Conditions.FAILED, why, outcome.message());
        clear(conditions, Conditions.SUSPENDED, why, outcome.message());
      }
      case Failed -> {
        set(conditions, Conditions.FAILED, true, why, outcome.message());
        set(conditions, Conditions.READY, false, why, outcome.message());
        set(conditions, Conditions.PROGRESSING, false, why, outcome.reason().stepFailure()
            ? "set a new value of annotation " + SemiSupervisedRun.RETRY_ANNOTATION + " to retry from " + outcome.step()
            : "no step starts until this is fixed: " + outcome.message());
      }
      case Running -> {
        // Pods that cannot start make no progress although the Job still runs.
        set(conditions, Conditions.PROGRESSING, outcome.reason() == Reason.STEP_RUNNING, why, outcome.message());
        set(conditions, Conditions.READY, false, "Running", "the run has not finished");
        clear(conditions, Conditions.FAILED, "Running", "no step has failed");
        if (suspendRequested) {
          set(conditions, Conditions.SUSPENDED, true, "SuspendRequested",
              "spec.suspend is true: " + outcome.step() + " finishes, then no new step starts");
        } else {
          clear(conditions, Conditions.SUSPENDED, "Resumed", "spec.suspend is false");
        }
      }
      case Suspended -> {
        set(conditions, Conditions.SUSPENDED, true, why, outcome.message());
        set(conditions, Conditions.PROGRESSING, false, why, "suspended before " + outcome.step());
        clear(conditions, Conditions.FAILED, why, "no step has failed");
      }
      case Pending -> {
        set(conditions, Conditions.READY, false, why, outcome.message());
        clear(conditions, Conditions.FAILED, why, "no step has failed");
        if (outcome.reason() != Reason.ACCEPTED) {
          set(conditions, Conditions.PROGRESSING, false, why, outcome.message());
        }
      }
      default -> throw new IllegalStateException("unknown phase " + outcome.phase());
    }
    if (outcome.reason() == Reason.INVALID_SPEC) {
      set(conditions, Conditions.INVALID_SPEC, true, why, outcome.message());
    } else {
      clear(conditions, Conditions.INVALID_SPEC, "Valid", "the spec is valid");
    }
  }

  /** StorageReachable from the store's last answer in this reconcile; untouched when it was not asked. */
  public void projectStore(SemiSupervisedRunStatus status, StoreHealth health, String endpoint, Duration retryEvery) {
    health.fault().ifPresentOrElse(
        e -> set(status.getConditions(), Conditions.STORAGE_REACHABLE, false, e.reason(), e.getMessage()
            + " (the run goes on; retried every " + retryEvery.toSeconds() + "s)"),
        () -> health.known().ifPresent(ok -> set(status.getConditions(), Conditions.STORAGE_REACHABLE, true,
            "Reachable", "read " + endpoint)));
  }

  /**
   * A reconcile that threw: Progressing=False until a reconcile gets through, with the kind of
   * failure only (an exception's message may carry a store's error body or a URL with a key).
   * Phase, step and the other conditions stay as the last good reconcile left them.
   */
  public void projectReconcileError(SemiSupervisedRunStatus status, Exception failure) {
    set(status.getConditions(), Conditions.PROGRESSING, false, Reason.RECONCILE_ERROR.word(),
        "the operator could not reconcile this run and retries: " + failure.getClass().getSimpleName());
  }

  /** SpecChangeIgnored: the fixed spec parts edited after the start (empty: none). */
  public void projectSpecChange(SemiSupervisedRunStatus status, String changedParts, Long acceptedGeneration) {
    if (changedParts.isEmpty()) {
      clear(status.getConditions(), Conditions.SPEC_CHANGE_IGNORED, "Unchanged", "the spec's fixed parts are as accepted");
      return;
    }
    set(status.getConditions(), Conditions.SPEC_CHANGE_IGNORED, true, "FixedAfterStart", changedParts
        + " changed at generation " + generation + " but cannot change after the run started; the run keeps generation "
        + acceptedGeneration + "'s values (start a new run to use them)");
  }

  private void set(List<io.fabric8.kubernetes.api.model.Condition> conditions, String type, boolean value,
      String reason, String message) {
    Conditions.set(conditions, type, value, reason, message, now, generation);
  }

  private void clear(List<io.fabric8.kubernetes.api.model.Condition> conditions, String type, String reason,
      String message) {
    Conditions.clear(conditions, type, reason, message, now, generation);
  }
}
