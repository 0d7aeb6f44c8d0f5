package dev.semisup.operator.reconciler;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.RunMetrics;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunStatus;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.api.validation.Problem;
import dev.semisup.api.validation.SpecValidator;
import dev.semisup.operator.jobs.JobLauncher;
import dev.semisup.operator.jobs.JobLauncher.JobRejectedException;
import dev.semisup.operator.jobs.JobState;
import dev.semisup.operator.jobs.StageJobFactory;
import dev.semisup.operator.jobs.StageJobs;
import dev.semisup.operator.metrics.OperatorMetrics;
import dev.semisup.operator.observer.ArtifactReader;
import dev.semisup.operator.observer.ArtifactReaders;
import dev.semisup.operator.observer.ProgressMirror;
import dev.semisup.operator.observer.StorageUnreachableException;
import dev.semisup.operator.status.Conditions;
import dev.semisup.operator.status.EventRecorder;
import dev.semisup.operator.status.StatusRecorder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Walks a run's stage plan, one Job per step: the next step's Job is created only after the
 * previous one succeeded. Every reconcile reads as: observe (status, owned Jobs) -> validate the
 * spec -> walk the plan (start, finish, fail, mirror progress) -> record the status.
 *
 * <p>The status is the memory of the walk; owned Jobs are adopted when they are ahead of it (an
 * operator that stopped between creating a Job and writing the status), so a restart never
 * reruns a step and never creates a second Job for the same attempt.
 */
public class SemiSupervisedRunReconciler implements Reconciler<SemiSupervisedRun> {

  public static final String NAME = "semisupervisedrun";
  /** After the first status write of a run, the walk starts at once. */
  static final Duration ACCEPTED_THEN_START = Duration.ofMillis(1);
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SemiSupervisedRunReconciler.class);

  private final JobLauncher launcher;
  private final ArtifactReaders readers;
  private final EventRecorder events;
  private final StatusRecorder statusRecorder;
  private final OperatorMetrics metrics;
  private final Duration progressInterval;
  private final Clock clock;
  private volatile InformerEventSource<Job, SemiSupervisedRun> jobEvents;

  public SemiSupervisedRunReconciler(JobLauncher launcher, ArtifactReaders readers, EventRecorder events,
      StatusRecorder statusRecorder, OperatorMetrics metrics, Duration progressInterval, Clock clock) {
    this.launcher = launcher;
    this.readers = readers;
    this.events = events;
    this.statusRecorder = statusRecorder;
    this.metrics = metrics;
    this.progressInterval = progressInterval;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, SemiSupervisedRun>> prepareEventSources(EventSourceContext<SemiSupervisedRun> context) {
    // Owned Jobs, found by owner reference; a Job's status change reconciles its run at once.
    jobEvents = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Job.class, SemiSupervisedRun.class)
            .withLabelSelector(StageJobs.SELECTOR)
            .build(),
        context);
    return List.of(jobEvents);
  }

  @Override
  public UpdateControl<SemiSupervisedRun> reconcile(SemiSupervisedRun run, Context<SemiSupervisedRun> context) {
    metrics.reconciled();
    metrics.countRunsFrom(() -> context.getPrimaryCache().list());
    String snapshot = statusRecorder.snapshot(run);
    Walk walk = new Walk(run, context.getSecondaryResources(Job.class));

    List<Problem> problems = SpecValidator.validate(run.getSpec(), SpecValidator.Target.CLUSTER);
    if (!problems.isEmpty()) {
      walk.rejectSpec(problems);
      return statusRecorder.record(run, snapshot, null, context);
    }
    walk.acceptSpec();
    Duration next = walk.run();
    return statusRecorder.record(run, snapshot, next, context);
  }

  @Override
  public ErrorStatusUpdateControl<SemiSupervisedRun> updateErrorStatus(SemiSupervisedRun run,
      Context<SemiSupervisedRun> context, Exception e) {
    metrics.reconcileFailed();
    LOG.warn("reconcile of {}/{} failed; retrying", run.getMetadata().getNamespace(), run.getMetadata().getName(), e);
    SemiSupervisedRun latest = context.getClient().resources(SemiSupervisedRun.class)
        .inNamespace(run.getMetadata().getNamespace()).withName(run.getMetadata().getName()).get();
    if (latest != null) {
      if (latest.getStatus() == null) {
        latest.setStatus(new SemiSupervisedRunStatus());
      }
      Conditions.set(latest.getStatus().getConditions(), Conditions.PROGRESSING, false, "ReconcileError",
          "the operator could not reconcile this run and retries: " + e.getMessage(), now(),
          latest.getMetadata().getGeneration());
      statusRecorder.write(latest, context);
    }
    return ErrorStatusUpdateControl.<SemiSupervisedRun>noStatusUpdate();
  }

  private String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** One reconcile's walk over the plan of one run. */
  private final class Walk {

    private final SemiSupervisedRun run;
    private final SemiSupervisedRunStatus status;
    private final Collection<Job> jobs;
    private final Long generation;
    private SemiSupervisedRunSpec spec;
    private StagePlan plan;
    private ObjectLayout layout;
    private ArtifactReader reader;
    private boolean firstAcceptance;

    Walk(SemiSupervisedRun run, Collection<Job> jobs) {
      this.run = run;
      this.status = run.getStatus();
      this.jobs = jobs;
      this.generation = run.getMetadata().getGeneration();
      status.setObservedGeneration(generation);
      if (status.getPhase() == null) {
        status.setPhase(RunPhase.Pending);
      }
    }

    // ---- validate

    void rejectSpec(List<Problem> problems) {
      String message = problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
      boolean news = !Conditions.isTrue(status.getConditions(), Conditions.INVALID_SPEC)
          || !Conditions.find(status.getConditions(), Conditions.INVALID_SPEC).map(c -> message.equals(c.getMessage())).orElse(false);
      status.setPhase(RunPhase.Failed);
      condition(Conditions.INVALID_SPEC, true, "InvalidSpec", message);
      condition(Conditions.FAILED, true, "InvalidSpec", "the spec is invalid: " + message);
      condition(Conditions.READY, false, "InvalidSpec", "the spec is invalid; fix the fields named in InvalidSpec");
      condition(Conditions.PROGRESSING, false, "InvalidSpec", "no step starts until the spec is valid");
      if (news) {
        events.warning(run, "InvalidSpec", message);
      }
    }

    void acceptSpec() {
      if (Conditions.isTrue(status.getConditions(), Conditions.INVALID_SPEC)) {
        Conditions.set(status.getConditions(), Conditions.INVALID_SPEC, false, "Valid", "the spec is valid", now(), generation);
        Conditions.set(status.getConditions(), Conditions.FAILED, false, "Valid", "the spec is valid", now(), generation);
        status.setPhase(RunPhase.Pending);
      }
      if (status.getAcceptedSpec() == null) {
        status.setAcceptedSpec(AcceptedSpec.of(run.getSpec()).json());
        status.setAcceptedGeneration(generation);
        firstAcceptance = status.getStages().isEmpty();
      }
      AcceptedSpec accepted = new AcceptedSpec(status.getAcceptedSpec());
      List<String> changed = accepted.changedParts(run.getSpec());
      if (changed.isEmpty()) {
        Conditions.clear(status.getConditions(), Conditions.SPEC_CHANGE_IGNORED, "Unchanged",
            "the spec's fixed parts are as accepted", now(), generation);
      } else {
        String parts = changed.stream().map(p -> "spec." + p).collect(Collectors.joining(", "));
        if (!Conditions.isTrue(status.getConditions(), Conditions.SPEC_CHANGE_IGNORED)) {
          events.warning(run, "SpecChangeIgnored", parts + " changed after the run started; ignored");
        }
        condition(Conditions.SPEC_CHANGE_IGNORED, true, "FixedAfterStart", parts + " changed at generation "
            + generation + " but cannot change after the run started; the run keeps generation "
            + status.getAcceptedGeneration() + "'s values (start a new run to use them)");
      }
      spec = accepted.effective(run.getSpec());
      plan = StagePlan.of(spec);
      layout = new ObjectLayout(spec.getStorage().resolvedPrefix(run.getMetadata().getNamespace(), run.getMetadata().getName()));
      alignStages();
    }

    /** One StageStatus per planned step, in plan order (a teacher given as checkpoint has none). */
    private void alignStages() {
      Map<String, StageStatus> byName = new LinkedHashMap<>();
      for (StageStatus stage : status.getStages()) {
        byName.put(stage.getName(), stage);
      }
      List<StageStatus> aligned = new ArrayList<>();
      for (PlannedStep step : plan.steps()) {
        StageStatus stage = byName.computeIfAbsent(step.id(), id -> new StageStatus(id, StagePhase.Pending));
        if (stage.getAttempts() == null) {
          stage.setAttempts(0);
        }
        if (step.sharded()) {
          stage.setShardsTotal(step.shards());
          if (stage.getShardsDone() == null) {
            stage.setShardsDone(0);
          }
        }
        aligned.add(stage);
      }
      status.setStages(aligned);
    }

    // ---- walk

    /** Returns when to look again, or null when only a change of the run or its Jobs matters. */
    Duration run() {
      if (firstAcceptance && StageJobs.latest(jobs, plan.steps().get(0).id()).isEmpty()) {
        // First sight: record the accepted run with its plan (Pending, every step Pending) before
        // any Job exists, so kubectl shows what will run; the walk starts right after.
        status.setPhase(RunPhase.Pending);
        status.setStage(plan.steps().get(0).id());
        condition(Conditions.READY, false, "Pending", "accepted; " + plan.steps().size() + " steps planned");
        return ACCEPTED_THEN_START;
      }
      for (PlannedStep step : plan.steps()) {
        StageStatus stage = stageOf(step);
        adoptNewerJob(step, stage);
        switch (stage.getPhase()) {
          case Succeeded, Skipped -> {
            continue;
          }
          case Failed -> {
            return retryOrStayFailed(step, stage);
          }
          case Pending -> {
            return start(step, stage);
          }
          case Running -> {
            Optional<Job> job = jobs.stream().filter(j -> j.getMetadata().getName().equals(stage.getJobName())).findFirst();
            if (job.isEmpty()) {
              // Created but not yet in the informer cache, or deleted by hand: (re)create; 409 = there.
              return launch(step, stage, stage.getAttempts());
            }
            JobState state = JobState.of(job.get());
            switch (state.outcome()) {
              case SUCCEEDED -> {
                complete(step, stage);
                continue;
              }
              case FAILED -> {
                fail(step, stage, launcher.failureMessage(job.get(), state));
                return null;
              }
              default -> {
                watch(step, stage, state);
                return progressInterval;
              }
            }
          }
          default -> throw new IllegalStateException("unknown stage phase " + stage.getPhase());
        }
      }
      return finish();
    }

    /** An owned Job of a later attempt than the status knows: the operator stopped before recording it. */
    private void adoptNewerJob(PlannedStep step, StageStatus stage) {
      Optional<Job> latest = StageJobs.latest(jobs, step.id());
      if (latest.isEmpty() || stage.getPhase() == StagePhase.Succeeded) {
        return;
      }
      int attempt = StageJobs.attemptOf(latest.get());
      boolean ahead = attempt > stage.getAttempts()
          || (attempt == stage.getAttempts() && stage.getPhase() == StagePhase.Pending);
      if (!ahead) {
        return;
      }
      if (stage.getPhase() == StagePhase.Failed) {
        status.setHandledRetry(retryValue());
      }
      stage.setAttempts(attempt);
      stage.setPhase(StagePhase.Running);
      stage.setJobName(latest.get().getMetadata().getName());
      stage.setStartTime(Optional.ofNullable(latest.get().getMetadata().getCreationTimestamp()).orElse(now()));
      stage.setCompletionTime(null);
      stage.setMessage(null);
    }

    private Duration start(PlannedStep step, StageStatus stage) {
      if (spec.suspended()) {
        status.setPhase(RunPhase.Suspended);
        status.setStage(step.id());
        condition(Conditions.SUSPENDED, true, "Suspended",
            "spec.suspend is true: no new step starts; next is " + step.id());
        condition(Conditions.PROGRESSING, false, "Suspended", "suspended before " + step.id());
        return null;
      }
      if (credentialsMissing(step)) {
        return progressInterval;
      }
      return launch(step, stage, stage.getAttempts() + 1);
    }

    /**
     * A pod whose secretKeyRef names a missing Secret (or key) never starts: it waits in
     * CreateContainerConfigError and its Job neither fails nor succeeds. So the Secret is checked
     * before a Job is made, and the run waits, saying which Secret, until it is there.
     */
    private boolean credentialsMissing(PlannedStep step) {
      try {
        reader();
        boolean waitedForSecret = Conditions.find(status.getConditions(), Conditions.STORAGE_REACHABLE)
            .map(c -> "False".equals(c.getStatus()) && c.getReason().startsWith("Secret")).orElse(false);
        if (waitedForSecret) {
          condition(Conditions.STORAGE_REACHABLE, true, "SecretFound",
              "Secret " + spec.getStorage().getCredentialsSecret() + " found");
        }
        return false;
      } catch (StorageUnreachableException e) {
        if (!e.reason().startsWith("Secret")) {
          return false; // the store itself is away: the worker will say so if it stays away
        }
        boolean news = !Conditions.find(status.getConditions(), Conditions.READY)
            .map(c -> e.reason().equals(c.getReason())).orElse(false);
        storageUnreachable(e);
        condition(Conditions.READY, false, e.reason(), e.getMessage() + "; " + step.id() + " starts once it exists");
        condition(Conditions.PROGRESSING, false, e.reason(), "waiting for the credentials Secret before " + step.id());
        status.setStage(step.id());
        if (news) {
          events.warning(run, e.reason(), e.getMessage());
        }
        return true;
      }
    }

    private Duration launch(PlannedStep step, StageStatus stage, int attempt) {
      Job job = StageJobFactory.jobFor(run, spec, step, attempt);
      boolean firstSight = stage.getPhase() != StagePhase.Running || stage.getAttempts() != attempt;
      Optional<Job> created;
      try {
        created = launcher.create(job);
        if (created.isPresent() && jobEvents != null) {
          // The next reconcile sees it before the watch delivers it, and the watch's add event
          // of this very version triggers no reconcile of its own.
          jobEvents.handleRecentResourceCreate(
              io.javaoperatorsdk.operator.processing.event.ResourceID.fromResource(created.get()), created.get());
        }
      } catch (JobRejectedException e) {
        stage.setAttempts(attempt);
        stage.setJobName(job.getMetadata().getName());
        fail(step, stage, e.getMessage());
        return null;
      }
      stage.setPhase(StagePhase.Running);
      stage.setAttempts(attempt);
      stage.setJobName(job.getMetadata().getName());
      if (firstSight) {
        stage.setStartTime(now());
        stage.setCompletionTime(null);
        stage.setMessage(null);
        stage.setProgress(null);
        stage.setImagesPerSecond(null);
        stage.setEtaSeconds(null);
      }
      if (created.isPresent()) {
        // Only the reconcile that made the Job announces it: one event and count per Job.
        metrics.stepStarted(step.stage().wireName());
        events.normal(run, "StepStarted", step.id() + " started as Job " + job.getMetadata().getName()
            + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
      }
      running(step, stage);
      return progressInterval;
    }

    private void running(PlannedStep step, StageStatus stage) {
      status.setPhase(RunPhase.Running);
      status.setStage(step.id());
      status.setProgress(stage.getProgress());
      condition(Conditions.PROGRESSING, true, "StepRunning", step.id() + " is running as Job " + stage.getJobName());
      condition(Conditions.READY, false, "Running", "the run has not finished");
      Conditions.clear(status.getConditions(), Conditions.FAILED, "Running", "no step has failed", now(), generation);
      if (spec.suspended()) {
        condition(Conditions.SUSPENDED, true, "SuspendRequested",
            "spec.suspend is true: " + step.id() + " finishes, then no new step starts");
      } else {
        Conditions.clear(status.getConditions(), Conditions.SUSPENDED, "Resumed", "spec.suspend is false", now(), generation);
      }
    }

    /** A step that runs: mirror its progress.json (one per shard for infer) into the status. */
    private void watch(PlannedStep step, StageStatus stage, JobState state) {
      List<StageProgress> progress = new ArrayList<>();
      try {
        ArtifactReader reader = reader();
        if (step.sharded()) {
          for (int shard = 0; shard < Math.min(step.shards(), 256); shard++) {
            reader.progress(layout.shardProgress(step, shard)).ifPresent(progress::add);
          }
        } else {
          reader.progress(layout.progress(step)).ifPresent(progress::add);
        }
        storageReachable();
      } catch (StorageUnreachableException e) {
        storageUnreachable(e);
      }
      ProgressMirror.mirror(stage, progress, step.sharded(), state.shardsDone(), step.shards());
      running(step, stage);
    }

    private void complete(PlannedStep step, StageStatus stage) {
      String finished = now();
      stage.setPhase(StagePhase.Succeeded);
      stage.setCompletionTime(finished);
      stage.setProgress("done");
      stage.setEtaSeconds(null);
      stage.setMessage(null);
      if (step.sharded()) {
        stage.setShardsDone(step.shards());
      }
      status.setStage(step.id());
      status.getArtifacts().put(step.id(), "s3://" + spec.getStorage().getBucket() + "/" + layout.folder(step) + "/");
      String accuracy = "";
      if (step.stage().trains()) {
        Optional<StageMetrics> stageMetrics = readMetrics(step);
        if (stageMetrics.isPresent()) {
          record(step, stageMetrics.get().accuracy());
          accuracy = String.format(" (validation accuracy %.4f)", stageMetrics.get().accuracy());
        }
      }
      Duration took = between(stage.getStartTime(), finished);
      metrics.stepSucceeded(step.stage().wireName(), took);
      events.normal(run, "StepSucceeded", step.id() + " succeeded in " + took.toSeconds() + "s" + accuracy);
    }

    private void record(PlannedStep step, double accuracy) {
      RunMetrics runMetrics = status.getMetrics();
      switch (step.stage()) {
        case TEACHER -> runMetrics.setTeacherAccuracy(accuracy);
        case STUDENT -> runMetrics.setStudentAccuracy(accuracy);
        case FINETUNE -> runMetrics.setFinalAccuracy(accuracy);
        default -> { }
      }
    }

    private void fail(PlannedStep step, StageStatus stage, String message) {
      stage.setPhase(StagePhase.Failed);
      stage.setCompletionTime(now());
      stage.setMessage(message);
      stage.setEtaSeconds(null);
      status.setPhase(RunPhase.Failed);
      status.setStage(step.id());
      status.setProgress("failed");
      // The annotation's current value was set before this failure: only a new one retries.
      status.setHandledRetry(retryValue());
      String text = step.id() + " failed (Job " + stage.getJobName() + ", attempt " + stage.getAttempts() + "): "
          + message;
      condition(Conditions.FAILED, true, "StepFailed", text);
      condition(Conditions.READY, false, "StepFailed", text);
      condition(Conditions.PROGRESSING, false, "StepFailed",
          "set a new value of annotation " + SemiSupervisedRun.RETRY_ANNOTATION + " to retry from " + step.id());
      metrics.stepFailed(step.stage().wireName());
      events.warning(run, "StepFailed", text);
    }

    private Duration retryOrStayFailed(PlannedStep step, StageStatus stage) {
      String retry = retryValue();
      if (retry == null || retry.equals(status.getHandledRetry())) {
        status.setPhase(RunPhase.Failed);
        return null;
      }
      status.setHandledRetry(retry);
      stage.setPhase(StagePhase.Pending);
      events.normal(run, "RetryRequested", "retrying " + step.id() + " (" + SemiSupervisedRun.RETRY_ANNOTATION + "=" + retry + ")");
      return start(step, stage);
    }

    private Duration finish() {
      PlannedStep last = plan.last();
      boolean firstTime = status.getPhase() != RunPhase.Succeeded;
      status.setPhase(RunPhase.Succeeded);
      status.setStage(last.id());
      status.setProgress("done");
      condition(Conditions.READY, true, "Succeeded", "every step succeeded");
      condition(Conditions.PROGRESSING, false, "Succeeded", "every step succeeded");
      Conditions.clear(status.getConditions(), Conditions.FAILED, "Succeeded", "every step succeeded", now(), generation);
      Conditions.clear(status.getConditions(), Conditions.SUSPENDED, "Succeeded", "every step succeeded", now(), generation);
      Duration next = null;
      if (!status.getArtifacts().containsKey("report")) {
        try {
          Optional<RunReport> report = reader().report(layout.report());
          storageReachable();
          report.ifPresent(this::record);
        } catch (StorageUnreachableException e) {
          storageUnreachable(e);
          next = progressInterval;
        }
      }
      if (firstTime) {
        RunMetrics m = status.getMetrics();
        events.normal(run, "RunSucceeded", "every step succeeded" + (m.getFinalAccuracy() == null ? ""
            : String.format("; teacher %s, final %.4f", m.getTeacherAccuracy() == null ? "-"
                : String.format("%.4f", m.getTeacherAccuracy()), m.getFinalAccuracy())));
      }
      return next;
    }

    private void record(RunReport report) {
      RunMetrics m = status.getMetrics();
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
      status.getArtifacts().put("report", "s3://" + spec.getStorage().getBucket() + "/" + layout.report());
    }

    // ---- object store

    private Optional<StageMetrics> readMetrics(PlannedStep step) {
      try {
        Optional<StageMetrics> read = reader().metrics(layout.metrics(step));
        storageReachable();
        return read;
      } catch (StorageUnreachableException e) {
        storageUnreachable(e);
        return Optional.empty();
      }
    }

    private ArtifactReader reader() throws StorageUnreachableException {
      if (reader == null) {
        reader = readers.readerFor(run);
      }
      return reader;
    }

    private void storageReachable() {
      condition(Conditions.STORAGE_REACHABLE, true, "Reachable", "read " + spec.getStorage().getEndpoint());
    }

    private void storageUnreachable(StorageUnreachableException e) {
      condition(Conditions.STORAGE_REACHABLE, false, e.reason(), e.getMessage() + " (the run goes on; retried every "
          + progressInterval.toSeconds() + "s)");
    }

    // ---- small things

    private StageStatus stageOf(PlannedStep step) {
      return status.getStages().stream().filter(s -> s.getName().equals(step.id())).findFirst().orElseThrow();
    }

    private String retryValue() {
      Map<String, String> annotations = run.getMetadata().getAnnotations();
      return annotations == null ? null : annotations.get(SemiSupervisedRun.RETRY_ANNOTATION);
    }

    private void condition(String type, boolean value, String reason, String message) {
      Conditions.set(status.getConditions(), type, value, reason, message, now(), generation);
    }

    private Duration between(String start, String end) {
      try {
        return Duration.between(Instant.parse(Objects.requireNonNull(start)), Instant.parse(end));
      } catch (DateTimeParseException | NullPointerException e) {
        return Duration.ZERO;
      }
    }
  }
}
