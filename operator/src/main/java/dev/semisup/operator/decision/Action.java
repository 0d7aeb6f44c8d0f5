package dev.semisup.operator.decision;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.operator.observer.ObservedJob;
import dev.semisup.operator.status.Reason;

/**
 * What one decision asks the actors to do. {@link #settles()} says whether the reconcile ends
 * with it; the others (adopt, complete, retry) move the in-memory status one step and the
 * decision is asked again, so a reconcile that sees a Job finish also starts the next one.
 */
public sealed interface Action {

  default boolean settles() {
    return true;
  }

  /** The run may not start at all (prefix of another run or namespace, a value outside the allowlist). */
  record Refuse(Reason reason, String message) implements Action { }

  /** First sight of a valid run: record its plan, every step Pending, before any Job exists. */
  record Accept(PlannedStep first, int steps) implements Action { }

  /** An own Job of a later attempt than the status knows: the operator stopped before recording it. */
  record Adopt(PlannedStep step, ObservedJob job) implements Action {
    @Override public boolean settles() {
      return false;
    }
  }

  record CreateJob(PlannedStep step, int attempt) implements Action { }

  /**
   * A pod group's trainer finished (its Job succeeded, or is gone and the trainer's _SUCCESS says it
   * did): the worker's completion Job of that attempt checks the module and writes what the worker
   * writes beside a model of its own (servable folder, report).
   */
  record CreateCompletionJob(PlannedStep step, int attempt) implements Action { }

  /** The completion Job of a pod group's step runs; the step is not done before it succeeded. */
  record AwaitCompletion(PlannedStep step, ObservedJob job) implements Action { }

  /**
   * The step's Job succeeded (for a pod group, its completion Job), or (job null) the Job is gone
   * and the step's _SUCCESS says it did.
   */
  record Complete(PlannedStep step, ObservedJob job) implements Action {
    @Override public boolean settles() {
      return false;
    }
  }

  /**
   * The step failed: its Job failed (job set: the step's own, or its completion Job), or no Job can
   * carry it (job null, message says why).
   */
  record FailStep(PlannedStep step, Reason reason, ObservedJob job, String message) implements Action { }

  /**
   * A pod of the step's pod group failed, which failed its Job: the step goes back to Pending with
   * {@code restart} of {@code limit} group restarts used, and the next decision starts the whole
   * group as the next attempt.
   */
  record RestartGroup(PlannedStep step, ObservedJob job, int restart, int limit) implements Action {
    @Override public boolean settles() {
      return false;
    }
  }

  /** The step's Job runs: mirror its progress, report pods that make none. */
  record Watch(PlannedStep step, ObservedJob job) implements Action { }

  /** The credentials Secret is missing or unusable: no Job starts until it is there. */
  record WaitForCredentials(PlannedStep step) implements Action { }

  record Suspend(PlannedStep next) implements Action { }

  record StayFailed(PlannedStep step) implements Action { }

  /** A new value of the retry annotation: the failed step goes back to Pending. */
  record Retry(PlannedStep step, String value) implements Action {
    @Override public boolean settles() {
      return false;
    }
  }

  /** Every step succeeded. */
  record Finish(PlannedStep last) implements Action { }
}
