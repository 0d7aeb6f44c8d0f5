package dev.semisup.operator.decision;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.jobs.JobState;
import dev.semisup.operator.observer.ObservedJob;
import dev.semisup.operator.observer.RunObservation;
import dev.semisup.operator.status.Reason;
import java.util.Objects;
import java.util.Optional;

/**
 * The decision: status and observation in, one {@link Action} out. Pure (no I/O, no clock), so
 * every row of the table below has its own test ({@code NextActionTest}). Rows apply in order;
 * steps are data (ids, {@code sharded()}), never names, so a new step kind needs no change here.
 * The spec is valid here: the reconciler rejects an invalid one before it plans (there is no plan
 * to decide over), so the table starts at R2.
 *
 * <pre>
 *  R2  the operator's policy refuses a value                    Refuse(NotAllowed)
 *  R3  storage.prefix outside runs/&lt;namespace&gt;/                Refuse(PrefixOutsideNamespace)
 *  R4  run.json names another run (and no reuse of this name)   Refuse(PrefixOwnedByAnotherRun)
 *  R5  first sight, no Job of the first step                    Accept
 *      for each step, in plan order:
 *  R6  an own Job of a later attempt than the status            Adopt
 *  R7  Succeeded or Skipped                                     (next step)
 *  R8  Failed, retry annotation has a new value                 Retry
 *  R9  Failed                                                   StayFailed
 *  R10 Pending, spec.suspend                                    Suspend
 *  R11 Pending, credentials Secret missing or unusable          WaitForCredentials
 *  R12 Pending                                                  CreateJob(attempt + 1)
 *  R13 Running, its Job name held by an object not the run's    FailStep(JobNameTaken)
 *      a pod group whose Job succeeded, or is gone and the trainer wrote _SUCCESS:
 *  R14   no completion Job of the attempt                         CreateCompletionJob
 *  R15   its completion Job succeeded                             Complete
 *  R16   its completion Job failed                                FailStep(StepFailed)
 *  R17   its completion Job runs                                  AwaitCompletion
 *  R18 Running, its Job gone, the step's _SUCCESS exists        Complete
 *  R19 Running, its Job gone, no _SUCCESS                       FailStep(JobLost)
 *  R20 Running, its Job not seen and not looked up              CreateJob(same attempt)
 *  R21 Running, its Job succeeded                               Complete
 *  R22 Running, its pod group's Job failed because a pod did,
 *      group restarts left                                      RestartGroup
 *  R23 Running, its Job failed                                  FailStep(StepFailed)
 *  R24 Running, its Job runs                                    Watch
 *  R25 every step done                                          Finish
 * </pre>
 *
 * <p>A pod group (a torch-ddp step's Indexed Job, one pod per node) trains as one: a lost pod
 * breaks every rank's collective. So its Job fails at its first failed pod (backoffLimit 0) and
 * R22 starts the whole group again as the next attempt, from the trainer's newest checkpoint. Only
 * a pod failure restarts it: exit 2 (bad input, podFailurePolicy), the step deadline, or no
 * restarts left fail the step (R23).
 *
 * <p>A pod group's step is done only when the worker has completed it (R14-R17): the trainer's
 * _SUCCESS says its files are written, not that the module fits its card, nor, for a fine-tune,
 * that the servable folder and the report exist. The completion is idempotent, so a completion Job
 * gone with its TTL before its outcome was read simply runs again.
 */
public final class NextAction {

  private NextAction() {
  }

  public static Action decide(RunView run, RunObservation seen) {
    if (run.refusal().isPresent()) {
      return new Action.Refuse(Reason.NOT_ALLOWED, run.refusal().get());
    }
    // Strictly below runs/<namespace>/: the namespace folder itself would hold every run's artifacts.
    if (!run.prefix().startsWith(run.namespacePrefix()) || run.prefix().length() == run.namespacePrefix().length()) {
      return new Action.Refuse(Reason.PREFIX_OUTSIDE_NAMESPACE, "spec.storage.prefix " + run.prefix()
          + " is outside " + run.namespacePrefix() + ": a run keeps its artifacts under its own namespace's prefix");
    }
    Optional<RunMarker> owner = seen.marker().filter(marker -> !mayUse(run, marker));
    if (owner.isPresent()) {
      return new Action.Refuse(Reason.PREFIX_OWNED_BY_ANOTHER_RUN, "s3 prefix " + run.prefix() + " belongs to run "
          + owner.get().describe() + " (its run.json); this run never reuses another run's artifacts: choose another"
          + " spec.storage.prefix" + (owner.get().namespace().equals(run.self().namespace())
          && owner.get().name().equals(run.self().name())
          ? ", or set spec.storage.reuseArtifacts to adopt the artifacts of the earlier run of this name" : ""));
    }
    PlannedStep first = run.plan().steps().get(0);
    if (run.firstAcceptance() && seen.latestJob(first.id()).isEmpty()) {
      return new Action.Accept(first, run.plan().steps().size());
    }
    for (PlannedStep step : run.plan().steps()) {
      StageStatus stage = run.stage(step.id());
      Optional<ObservedJob> newer = seen.latestJob(step.id()).filter(job -> ahead(job, stage));
      if (newer.isPresent()) {
        return new Action.Adopt(step, newer.get());
      }
      switch (stage.getPhase()) {
        case Succeeded, Skipped -> {
          continue;
        }
        case Failed -> {
          boolean newRetry = run.retryValue() != null && !run.retryValue().equals(run.handledRetry());
          return newRetry ? new Action.Retry(step, run.retryValue()) : new Action.StayFailed(step);
        }
        case Pending -> {
          if (run.suspend()) {
            return new Action.Suspend(step);
          }
          if (seen.store().credentialsMissing()) {
            return new Action.WaitForCredentials(step);
          }
          return new Action.CreateJob(step, attempts(stage) + 1);
        }
        case Running -> {
          return running(run, step, stage, seen);
        }
        default -> throw new IllegalStateException("unknown stage phase " + stage.getPhase());
      }
    }
    return new Action.Finish(run.plan().last());
  }

  private static Action running(RunView run, PlannedStep step, StageStatus stage, RunObservation seen) {
    String name = stage.getJobName();
    if (seen.foreignJobs().contains(name)) {
      return new Action.FailStep(step, Reason.JOB_NAME_TAKEN, null, "Job " + name + " exists but its controller is"
          + " not this run (a leftover of a deleted run of the same name?); it is not adopted: delete it, then retry");
    }
    Optional<ObservedJob> job = seen.job(name);
    boolean trainerDone = job.map(j -> j.state().outcome() == JobState.Outcome.SUCCEEDED)
        .orElse(seen.goneJobs().contains(name) && seen.doneInStore().contains(step.id()));
    if (run.groupRestartLimits().containsKey(step.id()) && trainerDone) {
      return completion(step, attempts(stage), seen);
    }
    if (job.isEmpty()) {
      if (seen.goneJobs().contains(name)) {
        return seen.doneInStore().contains(step.id())
            ? new Action.Complete(step, null)
            : new Action.FailStep(step, Reason.JOB_LOST, null, "Job " + name + " was deleted before its outcome was"
                + " read, and " + step.id() + " wrote no _SUCCESS; nothing of it is taken as done");
      }
      return new Action.CreateJob(step, attempts(stage));
    }
    return switch (job.get().state().outcome()) {
      case SUCCEEDED -> new Action.Complete(step, job.get());
      case FAILED -> restartsGroup(run, step, stage, job.get())
          ? new Action.RestartGroup(step, job.get(), restarts(stage) + 1, run.groupRestartLimits().get(step.id()))
          : new Action.FailStep(step, Reason.STEP_FAILED, job.get(), job.get().state().describeFailure());
      case RUNNING -> new Action.Watch(step, job.get());
    };
  }

  /** The worker's completion of a pod group's attempt whose trainer finished. */
  private static Action completion(PlannedStep step, int attempt, RunObservation seen) {
    Optional<ObservedJob> completion = seen.completionJob(step.id(), attempt);
    if (completion.isEmpty()) {
      return new Action.CreateCompletionJob(step, attempt);
    }
    ObservedJob job = completion.get();
    return switch (job.state().outcome()) {
      case SUCCEEDED -> new Action.Complete(step, job);
      case FAILED -> new Action.FailStep(step, Reason.STEP_FAILED, job, "its completion Job " + job.name()
          + " failed: " + job.state().describeFailure());
      case RUNNING -> new Action.AwaitCompletion(step, job);
    };
  }

  /**
   * An own Job of a later attempt than the status records: made by an operator that stopped before
   * its status write. (The attempt the status records is never re-adopted: after a retry the step
   * is Pending at that attempt, and its failed Job must stay failed.)
   */
  private static boolean ahead(ObservedJob job, StageStatus stage) {
    if (stage.getPhase() == StagePhase.Succeeded || stage.getPhase() == StagePhase.Skipped) {
      return false;
    }
    return job.attempt() > attempts(stage);
  }

  /** The Job controller's reason when a pod failed and backoffLimit allowed no more. */
  static final String POD_FAILED = "BackoffLimitExceeded";

  private static boolean restartsGroup(RunView run, PlannedStep step, StageStatus stage, ObservedJob job) {
    Integer limit = run.groupRestartLimits().get(step.id());
    return limit != null && POD_FAILED.equals(job.state().reason()) && restarts(stage) < limit;
  }

  private static int restarts(StageStatus stage) {
    return stage.getGroupRestarts() == null ? 0 : stage.getGroupRestarts();
  }

  private static int attempts(StageStatus stage) {
    return stage.getAttempts() == null ? 0 : stage.getAttempts();
  }

  /** This run's own marker, or an earlier run of the same namespace and name when reuse is asked for. */
  private static boolean mayUse(RunView run, RunMarker marker) {
    if (marker.sameRunAs(run.self())) {
      return true;
    }
    return run.reuseArtifacts() && Objects.equals(marker.namespace(), run.self().namespace())
        && Objects.equals(marker.name(), run.self().name());
  }
}
