package dev.semisup.operator.testing;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.config.RunPolicy;
import dev.semisup.operator.jobs.JobLauncher;
import dev.semisup.operator.metrics.OperatorMetrics;
import dev.semisup.operator.observer.RunObserver;
import dev.semisup.operator.reconciler.SemiSupervisedRunReconciler;
import dev.semisup.operator.status.EventRecorder;
import dev.semisup.operator.status.StatusRecorder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.dependent.managed.ManagedWorkflowAndDependentResourceContext;
import io.javaoperatorsdk.operator.processing.event.EventSourceRetriever;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;

/**
 * Calls {@code reconcile()} directly against the mock cluster, as JOSDK would. Jobs, pods and
 * Secrets reach the reconciler as the informers give them: from caches, which by default catch up
 * with the API server before each reconcile, and which a test can hold stale ({@link #holdCaches})
 * to play watch events that have not arrived yet. Deterministic: no informers, no threads. The
 * run's credentials Secret ({@link Runs#SECRET} in {@link Runs#NAMESPACE}) exists from the start.
 */
public final class ReconcilerHarness implements AutoCloseable {

  public final MockCluster cluster = new MockCluster();
  public final FakeArtifacts artifacts = new FakeArtifacts();
  public final OperatorMetrics metrics = new OperatorMetrics();
  private final KubernetesClient operatorClient = cluster.operatorClient();
  private final EventRecorder events = new EventRecorder(operatorClient, Clock.systemUTC());
  private final CrashableStatusRecorder statusRecorder = new CrashableStatusRecorder(operatorClient);
  private List<Job> jobCache = List.of();
  private List<Pod> podCache = List.of();
  private List<Secret> secretCache = List.of();
  private boolean cacheHeld;
  public final SemiSupervisedRunReconciler reconciler;
  /** The operator's trainer image (TRAINER_IMAGE) in these tests. */
  public static final String TRAINER_IMAGE = "registry.test/semisup-trainer:1";

  public ReconcilerHarness() {
    this(RunPolicy.OPEN, Clock.systemUTC());
  }

  public ReconcilerHarness(RunPolicy policy, Clock clock) {
    reconciler = new SemiSupervisedRunReconciler(
        new RunObserver(operatorClient, artifacts, Duration.ofSeconds(120), clock), artifacts,
        new JobLauncher(operatorClient),
        events, statusRecorder, metrics, policy, TRAINER_IMAGE, Duration.ofSeconds(10), clock);
    cluster.credentialsSecret(Runs.NAMESPACE, Runs.SECRET, "access", "secret");
  }

  /**
   * The next status write does not happen: the reconcile ends there with {@link OperatorKilled},
   * as an operator process killed after its API calls and before its status write.
   */
  public void killBeforeNextStatusWrite() {
    statusRecorder.crash = true;
  }

  /**
   * The next status write meets a run changed since the reconcile read it: another writer bumps
   * it first, so the API server answers 409.
   */
  public void conflictOnNextStatusWrite() {
    statusRecorder.conflict = () -> cluster.edit(Runs.NAMESPACE, statusRecorder.conflictTarget, run -> {
      java.util.Map<String, String> annotations = new java.util.HashMap<>();
      if (run.getMetadata().getAnnotations() != null) {
        annotations.putAll(run.getMetadata().getAnnotations());
      }
      annotations.put("test.semisup.dev/bumped", String.valueOf(System.nanoTime()));
      run.getMetadata().setAnnotations(annotations);
      return run;
    });
  }

  /** Thrown where the operator process would have died. */
  public static final class OperatorKilled extends RuntimeException {
    OperatorKilled() {
      super("operator killed before its status write");
    }
  }

  private static final class CrashableStatusRecorder extends StatusRecorder {
    private volatile boolean crash;
    private volatile Runnable conflict;
    private volatile String conflictTarget;

    CrashableStatusRecorder(KubernetesClient client) {
      super(client);
    }

    @Override
    public boolean write(SemiSupervisedRun run, Context<SemiSupervisedRun> context) {
      if (crash) {
        crash = false;
        throw new OperatorKilled();
      }
      Runnable bump = conflict;
      if (bump != null) {
        conflict = null;
        conflictTarget = run.getMetadata().getName();
        bump.run();
      }
      return super.write(run, context);
    }
  }

  /** One reconcile of the named run (it writes its own status); returns what it asked JOSDK to do. */
  public UpdateControl<SemiSupervisedRun> reconcile(String name) throws Exception {
    return reconcile(Runs.NAMESPACE, name);
  }

  public UpdateControl<SemiSupervisedRun> reconcile(String namespace, String name) throws Exception {
    SemiSupervisedRun run = cluster.get(namespace, name);
    if (!cacheHeld) {
      catchUp(namespace);
    }
    // The informer maps Jobs to runs by owner reference name and namespace, not UID.
    List<Job> owned = jobCache.stream()
        .filter(job -> namespace.equals(job.getMetadata().getNamespace()))
        .filter(job -> job.getMetadata().getOwnerReferences() != null && job.getMetadata().getOwnerReferences()
            .stream().anyMatch(o -> name.equals(o.getName())))
        .toList();
    // Pods by the run label of their Job's template; the Secret by the name the spec gives.
    List<Pod> pods = podCache.stream()
        .filter(pod -> namespace.equals(pod.getMetadata().getNamespace()))
        .filter(pod -> pod.getMetadata().getLabels() != null && name.equals(pod.getMetadata().getLabels().get("semisup.dev/run"))
            && "semisup-operator".equals(pod.getMetadata().getLabels().get("app.kubernetes.io/managed-by")))
        .toList();
    Optional<Secret> secret = secretCache.stream()
        .filter(s -> namespace.equals(s.getMetadata().getNamespace()))
        .filter(s -> s.getMetadata().getName().equals(run.getSpec().getStorage().getCredentialsSecret()))
        .findFirst();
    return reconciler.reconcile(run, new FakeContext(owned, pods, secret, operatorClient));
  }

  private void catchUp(String namespace) {
    jobCache = cluster.client().batch().v1().jobs().inNamespace(namespace).list().getItems();
    podCache = cluster.client().pods().inNamespace(namespace).list().getItems();
    secretCache = cluster.client().secrets().inNamespace(namespace).list().getItems();
  }

  /**
   * Deletes the run as a user does (the API server marks it while finalizers remain), then
   * reconciles it if it is still there, as JOSDK does on the deletion event. Again on a run
   * already marked: only the reconcile.
   */
  public void delete(String name) throws Exception {
    SemiSupervisedRun run = cluster.get(Runs.NAMESPACE, name);
    if (run != null && !run.isMarkedForDeletion()) {
      cluster.client().resource(run).delete();
    }
    if (cluster.get(Runs.NAMESPACE, name) != null) {
      reconcile(name);
    }
  }

  /** What JOSDK calls when a reconcile of the named run threw {@code failure}. */
  public void reconcileThrew(String name, Exception failure) {
    reconciler.updateErrorStatus(cluster.get(Runs.NAMESPACE, name),
        new FakeContext(List.of(), List.of(), Optional.empty(), operatorClient), failure);
  }

  /** From now on, reconciles see Jobs, pods and Secrets as they are now (watches that stopped delivering). */
  public void holdCaches(String namespace) {
    catchUp(namespace);
    cacheHeld = true;
  }

  /** The watches deliver again: the caches catch up before each reconcile. */
  public void releaseCaches() {
    cacheHeld = false;
  }

  public SemiSupervisedRun run(String name) {
    return cluster.get(Runs.NAMESPACE, name);
  }

  public List<Job> jobs(String run) {
    return cluster.jobs(Runs.NAMESPACE, run);
  }

  public Set<String> jobNames(String run) {
    return jobs(run).stream().map(j -> j.getMetadata().getName()).collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  public List<Event> events() {
    events.flush();
    return cluster.client().v1().events().inNamespace(Runs.NAMESPACE).list().getItems();
  }

  public List<String> eventReasons(String type) {
    return events().stream().filter(e -> type.equals(e.getType())).map(Event::getReason).toList();
  }

  @Override
  public void close() {
    events.close();
    operatorClient.close();
    cluster.close();
  }

  private record FakeContext(List<Job> jobs, List<Pod> pods, Optional<Secret> secret, KubernetesClient client)
      implements Context<SemiSupervisedRun> {
    @Override public Optional<RetryInfo> getRetryInfo() { return Optional.empty(); }
    @SuppressWarnings("unchecked")
    @Override public <R> Set<R> getSecondaryResources(Class<R> type) {
      if (type == Pod.class) {
        return (Set<R>) Set.copyOf(pods);
      }
      if (type == Secret.class) {
        return (Set<R>) secret.map(Set::of).orElse(Set.of());
      }
      return (Set<R>) Set.copyOf(jobs);
    }
    @SuppressWarnings("unchecked")
    @Override public <R> Optional<R> getSecondaryResource(Class<R> type, String name) {
      return type == Secret.class ? (Optional<R>) secret : Optional.empty();
    }
    @Override public ControllerConfiguration<SemiSupervisedRun> getControllerConfiguration() { return null; }
    @Override public ManagedWorkflowAndDependentResourceContext managedWorkflowAndDependentResourceContext() { return null; }
    @Override public EventSourceRetriever<SemiSupervisedRun> eventSourceRetriever() { return null; }
    @Override public KubernetesClient getClient() { return client; }
    @Override public ExecutorService getWorkflowExecutorService() { return null; }
    @Override public SemiSupervisedRun getPrimaryResource() { return null; }
    @Override public IndexedResourceCache<SemiSupervisedRun> getPrimaryCache() { return null; }
    @Override public boolean isNextReconciliationImminent() { return false; }
    @Override public boolean isPrimaryResourceDeleted() { return false; }
    @Override public boolean isPrimaryResourceFinalStateUnknown() { return false; }
  }
}
