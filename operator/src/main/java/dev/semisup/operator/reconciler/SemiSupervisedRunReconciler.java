package dev.semisup.operator.reconciler;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunStatus;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.api.validation.Problem;
import dev.semisup.api.validation.SpecValidator;
import dev.semisup.operator.decision.Action;
import dev.semisup.operator.decision.NextAction;
import dev.semisup.operator.config.RunPolicy;
import dev.semisup.operator.jobs.PodGroup;
import dev.semisup.operator.decision.RunView;
import dev.semisup.operator.jobs.JobLauncher;
import dev.semisup.operator.jobs.StageJobs;
import dev.semisup.operator.metrics.OperatorMetrics;
import dev.semisup.operator.observer.ArtifactReaders;
import dev.semisup.operator.observer.CachedObjects;
import dev.semisup.operator.observer.PodTroubles;
import dev.semisup.operator.observer.RunObservation;
import dev.semisup.operator.observer.RunObserver;
import dev.semisup.operator.observer.StoreHealth;
import dev.semisup.operator.status.Conditions;
import dev.semisup.operator.status.EventRecorder;
import dev.semisup.operator.status.Outcome;
import dev.semisup.operator.status.PendingEvents;
import dev.semisup.operator.status.RunEvents;
import dev.semisup.operator.status.StatusProjection;
import dev.semisup.operator.status.StatusRecorder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Walks a run's stage plan, one Job per step. Every reconcile reads as a short story: validate
 * the spec -> observe the world ({@link RunObserver}) -> decide ({@link NextAction}, pure) -> act
 * ({@link JobActor}, {@link RunActor}) -> project the conditions ({@link StatusProjection}) ->
 * record the status ({@link StatusRecorder}, which skips unchanged writes).
 *
 * <p>JOSDK calls it on every event, deletions included ({@link CleanupFinalizer}: only runs that
 * delete their artifacts carry the operator's finalizer).
 *
 * <p>The status is the memory of the walk; the run's own Jobs (by controller owner UID) are
 * adopted when they are ahead of it, so an operator that stopped between a Job's create and the
 * status write never reruns a step and never makes a second Job for the same attempt.
 */
public class SemiSupervisedRunReconciler implements Reconciler<SemiSupervisedRun> {

  public static final String NAME = "semisupervisedrun";
  /** Adopt, complete and retry do not end a reconcile; this many steps bound one (a plan is short). */
  private static final int MAX_ACTIONS = 64;
  private static final String SECRET_INDEX = "credentialsSecret";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SemiSupervisedRunReconciler.class);

  private final RunObserver observer;
  private final CleanupFinalizer finalizer;
  private final JobActor jobs;
  private final RunActor runs;
  private final EventRecorder events;
  private final StatusRecorder statusRecorder;
  private final OperatorMetrics metrics;
  private final RunPolicy policy;
  private final Duration progressInterval;
  private final Clock clock;
  private volatile InformerEventSource<Job, SemiSupervisedRun> jobEvents;

  public SemiSupervisedRunReconciler(RunObserver observer, ArtifactReaders readers, JobLauncher launcher,
      EventRecorder events, StatusRecorder statusRecorder, OperatorMetrics metrics, RunPolicy policy,
      String trainerImage, Duration progressInterval, Clock clock) {
    this.observer = observer;
    this.finalizer = new CleanupFinalizer(new ArtifactCleanup(readers, events, progressInterval));
    this.jobs = new JobActor(launcher, metrics, progressInterval, this::cacheCreated, trainerImage);
    this.runs = new RunActor(progressInterval);
    this.events = events;
    this.statusRecorder = statusRecorder;
    this.metrics = metrics;
    this.policy = policy;
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
    // The pods of those Jobs (they carry the Job template's labels), for why a step makes no
    // progress; only a change of that reconciles the run, not every pod start and end.
    InformerEventSource<Pod, SemiSupervisedRun> podEvents = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Pod.class, SemiSupervisedRun.class)
            .withLabelSelector(StageJobs.SELECTOR)
            .withSecondaryToPrimaryMapper(SemiSupervisedRunReconciler::runOfPod)
            .withOnAddFilter(pod -> PodTroubles.of(pod).isPresent())
            .withOnUpdateFilter((pod, before) -> !PodTroubles.of(pod).equals(PodTroubles.of(before)))
            .withOnDeleteFilter((pod, finalStateUnknown) -> false)
            .build(),
        context);
    // The Secret each run names: its keys for the object store; its creation starts a run that waits for it.
    context.getPrimaryCache().addIndexer(SECRET_INDEX, run -> credentialsSecretOf(run)
        .map(name -> List.of(secretKey(run.getMetadata().getNamespace(), name))).orElse(List.of()));
    InformerEventSource<Secret, SemiSupervisedRun> secretEvents = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Secret.class, SemiSupervisedRun.class)
            .withPrimaryToSecondaryMapper((SemiSupervisedRun run) -> credentialsSecretOf(run)
                .map(name -> Set.of(new ResourceID(name, run.getMetadata().getNamespace()))).orElse(Set.of()))
            .withSecondaryToPrimaryMapper(secret -> context.getPrimaryCache()
                .byIndex(SECRET_INDEX, secretKey(secret.getMetadata().getNamespace(), secret.getMetadata().getName()))
                .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
            .build(),
        context);
    return List.of(jobEvents, podEvents, secretEvents);
  }

  private static Set<ResourceID> runOfPod(Pod pod) {
    String run = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(StageJobs.RUN);
    return run == null ? Set.of() : Set.of(new ResourceID(run, pod.getMetadata().getNamespace()));
  }

  /** The Secret a run names; none for a spec too broken to name one (it is rejected, not indexed). */
  private static Optional<String> credentialsSecretOf(SemiSupervisedRun run) {
    return Optional.ofNullable(run.getSpec()).map(SemiSupervisedRunSpec::getStorage)
        .map(storage -> storage.getCredentialsSecret());
  }

  private static String secretKey(String namespace, String name) {
    return namespace + "/" + name;
  }

  @Override
  public UpdateControl<SemiSupervisedRun> reconcile(SemiSupervisedRun run, Context<SemiSupervisedRun> context) {
    if (context.isPrimaryResourceDeleted()) {
      observer.forget(run); // gone: its Jobs go with it (owner references)
      return UpdateControl.noUpdate();
    }
    metrics.reconciled();
    if (run.isMarkedForDeletion()) {
      observer.forget(run);
      return finalizer.onDeletion(run, context.getSecondaryResource(Secret.class), context.getClient());
    }
    metrics.countRunsFrom(() -> context.getPrimaryCache().list());
    String snapshot = statusRecorder.snapshot(run);
    SemiSupervisedRunStatus status = run.getStatus();
    Long generation = run.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    if (status.getPhase() == null) {
      status.setPhase(RunPhase.Pending);
    }
    String now = now();
    StatusProjection projection = new StatusProjection(now, generation);
    PendingEvents pending = new PendingEvents(events);

    List<Problem> problems = SpecValidator.validate(run.getSpec(), SpecValidator.Target.CLUSTER);
    if (!problems.isEmpty()) {
      projection.project(status, RunActor.reject(problems, run, pending), false);
      return statusRecorder.record(run, snapshot, null, context, pending);
    }
    boolean firstAcceptance = status.getAcceptedSpec() == null && status.getStages().isEmpty();
    SemiSupervisedRunSpec spec = accept(run, projection, pending);
    finalizer.align(run, spec.getStorage().deletesArtifacts(), context.getClient());
    StagePlan plan = StagePlan.of(spec);
    String prefix = spec.getStorage().resolvedPrefix(run.getMetadata().getNamespace(), run.getMetadata().getName());
    alignStages(status, plan);

    StoreHealth health = new StoreHealth();
    CachedObjects cached = new CachedObjects(context.getSecondaryResources(Job.class),
        context.getSecondaryResources(Pod.class), context.getSecondaryResource(Secret.class));
    RunObservation seen = observer.observe(run, plan, new ObjectLayout(prefix), cached, health);
    RunScope scope = new RunScope(run, spec, plan, new ObjectLayout(prefix), seen, health, now, pending);
    Outcome outcome = act(scope, firstAcceptance, prefix);
    projection.project(status, outcome, spec.suspended());
    projection.projectStore(status, health, spec.getStorage().getEndpoint(), progressInterval);
    return statusRecorder.record(run, snapshot, outcome.requeue(), context, pending);
  }

  /** Decide and act until an action settles the reconcile. */
  private Outcome act(RunScope scope, boolean firstAcceptance, String prefix) {
    SemiSupervisedRun run = scope.run();
    RunMarker self = new RunMarker(run.getMetadata().getNamespace(), run.getMetadata().getName(),
        run.getMetadata().getUid());
    for (int i = 0; i < MAX_ACTIONS; i++) {
      RunView view = RunView.builder(scope.plan(), scope.status().getStages(), self, prefix)
          .refusal(policy.refusal(scope.spec()))
          .firstAcceptance(firstAcceptance)
          .suspend(scope.spec().suspended())
          .retry(scope.retryValue(), scope.status().getHandledRetry())
          .reuseArtifacts(scope.spec().getStorage().reusesArtifacts())
          .groupRestartLimits(PodGroup.restartLimits(scope.spec(), scope.plan()))
          .build();
      Action action = NextAction.decide(view, scope.seen());
      Optional<Outcome> outcome = carryOut(action, scope);
      if (action.settles()) {
        return outcome.orElseThrow();
      }
    }
    throw new IllegalStateException("no action settled the reconcile of " + run.getMetadata().getName()
        + " after " + MAX_ACTIONS + " steps");
  }

  private Optional<Outcome> carryOut(Action action, RunScope scope) {
    if (action instanceof Action.Adopt adopt) {
      jobs.adopt(adopt, scope);
      return Optional.empty();
    }
    if (action instanceof Action.Complete complete) {
      jobs.complete(complete, scope);
      return Optional.empty();
    }
    if (action instanceof Action.Retry retry) {
      runs.retry(retry, scope);
      return Optional.empty();
    }
    if (action instanceof Action.RestartGroup restart) {
      jobs.restartGroup(restart, scope);
      return Optional.empty();
    }
    Outcome outcome;
    if (action instanceof Action.CreateJob create) {
      outcome = jobs.create(create, scope);
    } else if (action instanceof Action.CreateCompletionJob completion) {
      outcome = jobs.createCompletion(completion, scope);
    } else if (action instanceof Action.AwaitCompletion await) {
      outcome = jobs.awaitCompletion(await, scope);
    } else if (action instanceof Action.Watch watch) {
      outcome = jobs.watch(watch, scope);
    } else if (action instanceof Action.FailStep fail) {
      outcome = jobs.fail(fail, scope);
    } else if (action instanceof Action.Accept accept) {
      outcome = runs.accept(accept);
    } else if (action instanceof Action.Refuse refuse) {
      outcome = runs.refuse(refuse, scope);
    } else if (action instanceof Action.WaitForCredentials wait) {
      outcome = runs.waitForCredentials(wait, scope);
    } else if (action instanceof Action.Suspend suspend) {
      outcome = runs.suspend(suspend);
    } else if (action instanceof Action.StayFailed stay) {
      outcome = runs.stayFailed(stay, scope);
    } else if (action instanceof Action.Finish finish) {
      outcome = runs.finish(finish, scope);
    } else {
      throw new IllegalStateException("no actor for " + action);
    }
    return Optional.of(outcome);
  }

  /** The spec the run keeps from its start; edits of its fixed parts are reported, not applied. */
  private SemiSupervisedRunSpec accept(SemiSupervisedRun run, StatusProjection projection, RunEvents events) {
    SemiSupervisedRunStatus status = run.getStatus();
    if (status.getAcceptedSpec() == null) {
      status.setAcceptedSpec(AcceptedSpec.of(run.getSpec()).json());
      status.setAcceptedGeneration(run.getMetadata().getGeneration());
    }
    AcceptedSpec accepted = new AcceptedSpec(status.getAcceptedSpec());
    String changed = accepted.changedParts(run.getSpec()).stream().map(p -> "spec." + p)
        .collect(Collectors.joining(", "));
    if (!changed.isEmpty() && !Conditions.isTrue(status.getConditions(), Conditions.SPEC_CHANGE_IGNORED)) {
      events.warning(run, "SpecChangeIgnored", changed + " changed after the run started; ignored");
    }
    projection.projectSpecChange(status, changed, status.getAcceptedGeneration());
    return accepted.effective(run.getSpec());
  }

  /** One StageStatus per planned step, in plan order (a teacher given as checkpoint has none). */
  private static void alignStages(SemiSupervisedRunStatus status, StagePlan plan) {
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

  /** The next reconcile sees a Job just made before the watch delivers it. */
  private void cacheCreated(Job created) {
    if (jobEvents != null) {
      jobEvents.handleRecentResourceCreate(ResourceID.fromResource(created), created);
    }
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
      new StatusProjection(now(), latest.getMetadata().getGeneration()).projectReconcileError(latest.getStatus(), e);
      statusRecorder.write(latest, context);
    }
    return ErrorStatusUpdateControl.<SemiSupervisedRun>noStatusUpdate();
  }

  private String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
