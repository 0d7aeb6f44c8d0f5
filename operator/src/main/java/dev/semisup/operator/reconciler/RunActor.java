package dev.semisup.operator.reconciler;

import dev.semisup.api.report.RunReport;
import dev.semisup.api.v1alpha1.RunMetrics;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunStatus;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.validation.Problem;
import dev.semisup.operator.decision.Action;
import dev.semisup.operator.observer.StorageUnreachableException;
import dev.semisup.operator.observer.StoreFault;
import dev.semisup.operator.status.Conditions;
import dev.semisup.operator.status.Outcome;
import dev.semisup.operator.status.Reason;
import dev.semisup.operator.status.RunEvents;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/** Carries out the actions on the run as a whole: accept, reject, refuse, wait, suspend, retry, finish. */
final class RunActor {

  /** After the first status write of a run, the walk starts at once. */
  static final Duration ACCEPTED_THEN_START = Duration.ofMillis(1);

  private final Duration progressInterval;

  RunActor(Duration progressInterval) {
    this.progressInterval = progressInterval;
  }

  /** The spec is invalid: fail naming every field; a warning only when the problems are new. */
  static Outcome reject(List<Problem> problems, SemiSupervisedRun run, RunEvents events) {
    String message = problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
    boolean news = !Conditions.find(run.getStatus().getConditions(), Conditions.INVALID_SPEC)
        .map(c -> "True".equals(c.getStatus()) && message.equals(c.getMessage())).orElse(false);
    if (news) {
      events.warning(run, Reason.INVALID_SPEC.word(), message);
    }
    return new Outcome(RunPhase.Failed, run.getStatus().getStage(), Reason.INVALID_SPEC, message, null);
  }

  Outcome refuse(Action.Refuse action, RunScope scope) {
    if (!sameFailure(scope.status(), action.reason(), action.message())) {
      scope.events().warning(scope.run(), action.reason().word(), action.message());
    }
    return new Outcome(RunPhase.Failed, scope.status().getStage(), action.reason(), action.message(), null);
  }

  /** First sight: the accepted run with its plan (Pending, every step Pending) before any Job, so kubectl shows what will run. */
  Outcome accept(Action.Accept action) {
    return new Outcome(RunPhase.Pending, action.first().id(), Reason.ACCEPTED, "accepted; " + action.steps()
        + " steps planned", ACCEPTED_THEN_START);
  }

  Outcome waitForCredentials(Action.WaitForCredentials action, RunScope scope) {
    StoreFault fault = scope.seen().store().fault();
    Reason reason = switch (fault) {
      case SECRET_NOT_FOUND -> Reason.SECRET_NOT_FOUND;
      case SECRET_INCOMPLETE -> Reason.SECRET_INCOMPLETE;
      default -> Reason.SECRET_UNREADABLE;
    };
    String message = scope.seen().store().message() + "; " + action.step().id() + " starts once it exists";
    boolean news = !Conditions.find(scope.status().getConditions(), Conditions.READY)
        .map(c -> reason.word().equals(c.getReason())).orElse(false);
    if (news) {
      scope.events().warning(scope.run(), reason.word(), scope.seen().store().message());
    }
    return new Outcome(RunPhase.Pending, action.step().id(), reason, message, progressInterval);
  }

  Outcome suspend(Action.Suspend action) {
    return new Outcome(RunPhase.Suspended, action.next().id(), Reason.SUSPENDED,
        "spec.suspend is true: no new step starts; next is " + action.next().id(), null);
  }

  /** A failed step stays failed: its condition is the one recorded when it failed. */
  Outcome stayFailed(Action.StayFailed action, RunScope scope) {
    Optional<io.fabric8.kubernetes.api.model.Condition> failed =
        Conditions.find(scope.status().getConditions(), Conditions.FAILED);
    Reason reason = failed.flatMap(c -> Reason.ofWord(c.getReason())).orElse(Reason.STEP_FAILED);
    String message = failed.map(c -> c.getMessage()).orElse(action.step().id() + " failed: "
        + scope.stage(action.step()).getMessage());
    return new Outcome(RunPhase.Failed, action.step().id(), reason, message, null);
  }

  void retry(Action.Retry action, RunScope scope) {
    scope.status().setHandledRetry(action.value());
    scope.stage(action.step()).setPhase(StagePhase.Pending);
    // A retry by hand gives a pod group its whole restart budget again.
    scope.stage(action.step()).setGroupRestarts(null);
    scope.events().normal(scope.run(), "RetryRequested", "retrying " + action.step().id() + " ("
        + SemiSupervisedRun.RETRY_ANNOTATION + "=" + action.value() + ")");
  }

  Outcome finish(Action.Finish action, RunScope scope) {
    SemiSupervisedRunStatus status = scope.status();
    boolean firstTime = status.getPhase() != RunPhase.Succeeded;
    status.setProgress("done");
    Duration next = null;
    var reader = scope.seen().store().readerIfOpen();
    if (!status.getArtifacts().containsKey("report") && reader.isPresent()) {
      try {
        Optional<RunReport> report = reader.get().report(scope.layout().report());
        scope.health().reachable();
        report.ifPresent(r -> record(r, scope));
      } catch (StorageUnreachableException e) {
        scope.health().unreachable(e);
        next = progressInterval;
      }
    } else if (!status.getArtifacts().containsKey("report")) {
      next = progressInterval; // the store could not be opened: read the report later
    }
    if (firstTime) {
      RunMetrics m = status.getMetrics();
      scope.events().normal(scope.run(), "RunSucceeded", "every step succeeded" + (m.getFinalAccuracy() == null ? ""
          : String.format("; teacher %s, final %.4f", m.getTeacherAccuracy() == null ? "-"
              : String.format("%.4f", m.getTeacherAccuracy()), m.getFinalAccuracy())));
    }
    return new Outcome(RunPhase.Succeeded, action.last().id(), Reason.SUCCEEDED, "every step succeeded", next);
  }

  private static void record(RunReport report, RunScope scope) {
    RunMetrics m = scope.status().getMetrics();
    if (report.teacherAccuracy() != null) {
      m.setTeacherAccuracy(report.teacherAccuracy());
    }
    if (report.studentAccuracy() != null) {
      m.setStudentAccuracy(report.studentAccuracy());
    }
    if (report.finalAccuracy() != null) {
      m.setFinalAccuracy(report.finalAccuracy());
    }
    m.setSampledImages(report.sampledImages());
    m.setPseudoLabelPrecision(report.pseudoLabelPrecision());
    scope.status().getArtifacts().put("report", scope.uri(scope.layout().report()));
    // The last fine-tune writes report.html just after report.json, both before its _SUCCESS.
    scope.status().setReportUri(scope.uri(scope.layout().reportPage()));
  }

  private static boolean sameFailure(SemiSupervisedRunStatus status, Reason reason, String message) {
    return Conditions.find(status.getConditions(), Conditions.FAILED)
        .map(c -> "True".equals(c.getStatus()) && reason.word().equals(c.getReason())
            && Objects.equals(message, c.getMessage()))
        .orElse(false);
  }
}
