package dev.semisup.operator.reconciler;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.v1alpha1.RunMetrics;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRunStatus;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.decision.Action;
import dev.semisup.operator.jobs.JobLauncher;
import dev.semisup.operator.jobs.JobLauncher.JobRejectedException;
import dev.semisup.operator.jobs.JobLauncher.Launch;
import dev.semisup.operator.jobs.PodGroup;
import dev.semisup.operator.jobs.StageJobFactory;
import dev.semisup.operator.jobs.StageJobs;
import dev.semisup.operator.metrics.OperatorMetrics;
import dev.semisup.operator.observer.ObservedJob;
import dev.semisup.operator.observer.PodTrouble;
import dev.semisup.operator.observer.ProgressMirror;
import dev.semisup.operator.observer.StorageUnreachableException;
import dev.semisup.operator.status.Outcome;
import dev.semisup.operator.status.Reason;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/** Carries out the actions on one step's Job: create, adopt, complete, fail, watch. */
final class JobActor {

  private final JobLauncher launcher;
  private final OperatorMetrics metrics;
  private final Duration progressInterval;
  private final Consumer<Job> onCreated;
  private final String trainerImage;

  /**
   * @param onCreated told of every Job this operator made, so the informer cache has it before the
   *     watch delivers it (the next reconcile must not take it for missing)
   * @param trainerImage the operator's image of torch-ddp steps (TRAINER_IMAGE)
   */
  JobActor(JobLauncher launcher, OperatorMetrics metrics, Duration progressInterval, Consumer<Job> onCreated,
      String trainerImage) {
    this.launcher = launcher;
    this.trainerImage = trainerImage;
    this.metrics = metrics;
    this.progressInterval = progressInterval;
    this.onCreated = onCreated;
  }

  Outcome create(Action.CreateJob action, RunScope scope) {
    PlannedStep step = action.step();
    int attempt = action.attempt();
    StageStatus stage = scope.stage(step);
    Job job = StageJobFactory.jobFor(scope.run(), scope.spec(), step, attempt, trainerImage);
    boolean firstSight = stage.getPhase() != StagePhase.Running || !Objects.equals(stage.getAttempts(), attempt);
    stage.setAttempts(attempt);
    stage.setJobName(job.getMetadata().getName());
    Launch launch;
    try {
      if (PodGroup.of(scope.spec(), step).isPresent()) {
        // The Service first: the pods resolve rank 0's host name as soon as they start.
        Service service = PodGroup.serviceFor(scope.run(), job.getMetadata().getName(), job.getMetadata().getLabels());
        if (!launcher.createService(service, scope.run().getMetadata().getUid())) {
          return fail(step, Reason.JOB_NAME_TAKEN, "Service " + service.getMetadata().getName() + " exists and its"
              + " controller is not this run; it is not adopted: delete it, then set a new retry annotation", scope);
        }
      }
      launch = launcher.create(job, scope.run().getMetadata().getUid());
    } catch (JobRejectedException e) {
      return fail(step, Reason.JOB_REJECTED, e.getMessage(), scope);
    }
    if (launch instanceof Launch.TakenByOther taken) {
      return fail(step, Reason.JOB_NAME_TAKEN, "Job " + job.getMetadata().getName() + " exists and its controller is "
          + (taken.controllerUid() == null ? "none" : "uid " + taken.controllerUid()) + ", not this run; it is not"
          + " adopted: delete it, then set a new retry annotation", scope);
    }
    stage.setPhase(StagePhase.Running);
    if (firstSight) {
      stage.setStartTime(scope.now());
      stage.setCompletionTime(null);
      stage.setMessage(null);
      stage.setProgress(null);
      stage.setImagesPerSecond(null);
      stage.setEtaSeconds(null);
    }
    if (launch instanceof Launch.Created created) {
      onCreated.accept(created.job());
      metrics.stepStarted(step.stage().wireName());
    }
    if (firstSight) {
      // Announced with the status that first records the attempt running: a reconcile whose
      // status write was refused (or that died before it) announced nothing, so the one that
      // finds its Job already made does.
      scope.events().normal(scope.run(), "StepStarted", step.id() + " started as Job " + job.getMetadata().getName()
          + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
    }
    return running(step, stage, Reason.STEP_RUNNING, step.id() + " is running as Job " + stage.getJobName(), scope);
  }

  /**
   * A pod group's trainer finished: the worker's completion Job of the attempt starts. The step
   * stays Running, with its group Job's name, until that Job succeeded.
   */
  Outcome createCompletion(Action.CreateCompletionJob action, RunScope scope) {
    PlannedStep step = action.step();
    Job job = StageJobFactory.completionJobFor(scope.run(), scope.spec(), step, action.attempt());
    String name = job.getMetadata().getName();
    Launch launch;
    try {
      launch = launcher.create(job, scope.run().getMetadata().getUid());
    } catch (JobRejectedException e) {
      return fail(step, Reason.JOB_REJECTED, e.getMessage(), scope);
    }
    if (launch instanceof Launch.TakenByOther taken) {
      return fail(step, Reason.JOB_NAME_TAKEN, "Job " + name + " exists and its controller is "
          + (taken.controllerUid() == null ? "none" : "uid " + taken.controllerUid()) + ", not this run; it is not"
          + " adopted: delete it, then set a new retry annotation", scope);
    }
    if (launch instanceof Launch.Created created) {
      onCreated.accept(created.job());
      scope.events().normal(scope.run(), "StepCompleting", step.id() + "'s trainer finished; the worker completes"
          + " it as Job " + name);
    }
    return completing(step, name, scope);
  }

  /** The completion Job runs; pods that make no progress are the reason. */
  Outcome awaitCompletion(Action.AwaitCompletion action, RunScope scope) {
    PlannedStep step = action.step();
    Optional<PodTrouble> trouble = scope.seen().troubleOf(step.id());
    if (trouble.isPresent()) {
      return running(step, scope.stage(step), reasonOf(trouble.get().kind()), step.id() + " makes no progress: "
          + trouble.get().describe(), scope);
    }
    return completing(step, action.job().name(), scope);
  }

  private Outcome completing(PlannedStep step, String jobName, RunScope scope) {
    return running(step, scope.stage(step), Reason.STEP_RUNNING, step.id() + "'s trainer finished; the worker"
        + " completes it as Job " + jobName, scope);
  }

  void adopt(Action.Adopt action, RunScope scope) {
    StageStatus stage = scope.stage(action.step());
    ObservedJob job = action.job();
    if (stage.getPhase() == StagePhase.Failed) {
      // A retry that made its Job before the operator stopped: that annotation value is handled.
      scope.status().setHandledRetry(scope.retryValue());
    }
    if (stage.getPhase() == StagePhase.Running) {
      // A later attempt while the status still says Running: a group restart whose status write
      // never happened (a retry by hand goes through Failed, a first start through Pending).
      stage.setGroupRestarts((stage.getGroupRestarts() == null ? 0 : stage.getGroupRestarts()) + 1);
    }
    stage.setAttempts(job.attempt());
    stage.setPhase(StagePhase.Running);
    stage.setJobName(job.name());
    stage.setStartTime(Optional.ofNullable(job.createdAt()).orElse(scope.now()));
    stage.setCompletionTime(null);
    stage.setMessage(null);
    // The reconcile that made this Job never wrote its status, so it never announced the start.
    scope.events().normal(scope.run(), "StepStarted", action.step().id() + " started as Job " + job.name()
        + (job.attempt() > 1 ? " (attempt " + job.attempt() + ")" : ""));
  }

  void complete(Action.Complete action, RunScope scope) {
    PlannedStep step = action.step();
    StageStatus stage = scope.stage(step);
    SemiSupervisedRunStatus status = scope.status();
    stage.setPhase(StagePhase.Succeeded);
    stage.setCompletionTime(scope.now());
    stage.setProgress("done");
    stage.setEtaSeconds(null);
    stage.setMessage(action.job() == null ? "its Job was gone; the step's _SUCCESS says it succeeded" : null);
    if (step.sharded()) {
      stage.setShardsDone(step.shards());
    }
    status.setStage(step.id());
    status.getArtifacts().put(step.id(), scope.uri(scope.layout().folder(step) + "/"));
    String accuracy = "";
    if (step.stage().trains()) {
      Optional<StageMetrics> read = readMetrics(step, scope);
      if (read.isPresent()) {
        RunMetrics runMetrics = status.getMetrics();
        switch (step.stage()) {
          case TEACHER -> runMetrics.setTeacherAccuracy(read.get().accuracy());
          case STUDENT -> runMetrics.setStudentAccuracy(read.get().accuracy());
          case FINETUNE -> runMetrics.setFinalAccuracy(read.get().accuracy());
          default -> { }
        }
        accuracy = String.format(" (validation accuracy %.4f)", read.get().accuracy());
      }
    }
    Duration took = between(stage.getStartTime(), scope.now());
    metrics.stepSucceeded(step.stage().wireName(), took);
    scope.events().normal(scope.run(), "StepSucceeded", step.id() + " succeeded in " + took.toSeconds() + "s" + accuracy);
  }

  Outcome fail(Action.FailStep action, RunScope scope) {
    if (action.job() == null) {
      return fail(action.step(), action.reason(), action.message(), scope);
    }
    String message = launcher.failureMessage(action.job().job(), action.job().state());
    if (StageJobs.isCompletion(action.job().job())) {
      message = "its completion Job " + action.job().name() + " failed: " + message;
    }
    return fail(action.step(), action.reason(), message, scope);
  }

  private Outcome fail(PlannedStep step, Reason reason, String message, RunScope scope) {
    StageStatus stage = scope.stage(step);
    SemiSupervisedRunStatus status = scope.status();
    stage.setPhase(StagePhase.Failed);
    stage.setCompletionTime(scope.now());
    stage.setMessage(message);
    stage.setEtaSeconds(null);
    status.setProgress("failed");
    // The annotation's current value was set before this failure: only a new one retries.
    status.setHandledRetry(scope.retryValue());
    String text = step.id() + " failed (Job " + stage.getJobName() + ", attempt " + stage.getAttempts() + "): " + message;
    metrics.stepFailed(step.stage().wireName());
    scope.events().warning(scope.run(), reason.word(), text);
    return new Outcome(RunPhase.Failed, step.id(), reason, text, null);
  }

  /**
   * A pod of the group failed: the whole group starts again as the next attempt (the decision's
   * next answer is CreateJob), from the trainer's newest checkpoint.
   */
  void restartGroup(Action.RestartGroup action, RunScope scope) {
    StageStatus stage = scope.stage(action.step());
    String why = launcher.failureMessage(action.job().job(), action.job().state());
    stage.setGroupRestarts(action.restart());
    stage.setPhase(StagePhase.Pending);
    scope.events().warning(scope.run(), "GroupRestarted", action.step().id() + ": a pod of Job " + action.job().name()
        + " failed, so its whole pod group starts again (restart " + action.restart() + " of " + action.limit() + "): "
        + why);
  }

  /** A running step: mirror its progress files into the status; pods that make no progress are the reason. */
  Outcome watch(Action.Watch action, RunScope scope) {
    PlannedStep step = action.step();
    StageStatus stage = scope.stage(step);
    ProgressMirror.mirror(stage, scope.seen().progressOf(step.id()), step.sharded(),
        action.job().state().shardsDone(), step.shards());
    Optional<PodTrouble> trouble = scope.seen().troubleOf(step.id());
    if (trouble.isPresent()) {
      return running(step, stage, reasonOf(trouble.get().kind()), step.id() + " makes no progress: "
          + trouble.get().describe(), scope);
    }
    return running(step, stage, Reason.STEP_RUNNING, step.id() + " is running as Job " + stage.getJobName(), scope);
  }

  private Outcome running(PlannedStep step, StageStatus stage, Reason reason, String message, RunScope scope) {
    scope.status().setProgress(stage.getProgress());
    return new Outcome(RunPhase.Running, step.id(), reason, message, progressInterval);
  }

  private static Reason reasonOf(PodTrouble.Kind kind) {
    return switch (kind) {
      case UNSCHEDULABLE -> Reason.PODS_UNSCHEDULABLE;
      case IMAGE_PULL -> Reason.IMAGE_PULL_FAILED;
      case CONTAINER_CONFIG -> Reason.CONTAINER_CONFIG_ERROR;
      case NO_PODS -> Reason.PODS_NOT_CREATED;
    };
  }

  private static Optional<StageMetrics> readMetrics(PlannedStep step, RunScope scope) {
    var reader = scope.seen().store().readerIfOpen();
    if (reader.isEmpty()) {
      return Optional.empty();
    }
    try {
      Optional<StageMetrics> read = reader.get().metrics(scope.layout().metrics(step));
      scope.health().reachable();
      return read;
    } catch (StorageUnreachableException e) {
      scope.health().unreachable(e);
      return Optional.empty();
    }
  }

  private static Duration between(String start, String end) {
    try {
      return Duration.between(Instant.parse(Objects.requireNonNull(start)), Instant.parse(end));
    } catch (DateTimeParseException | NullPointerException e) {
      return Duration.ZERO;
    }
  }
}
