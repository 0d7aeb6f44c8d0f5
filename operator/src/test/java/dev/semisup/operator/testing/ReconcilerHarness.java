package dev.semisup.operator.testing;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.jobs.JobLauncher;
import dev.semisup.operator.jobs.StageJobs;
import dev.semisup.operator.metrics.OperatorMetrics;
import dev.semisup.operator.reconciler.SemiSupervisedRunReconciler;
import dev.semisup.operator.status.EventRecorder;
import dev.semisup.operator.status.StatusRecorder;
import io.fabric8.kubernetes.api.model.Event;
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
 * Calls {@code reconcile()} directly against the mock cluster, as JOSDK would: the run and its
 * Jobs are read from the API server, and a status patch the reconciler asks for is written back.
 * Deterministic: no informers, no threads.
 */
public final class ReconcilerHarness implements AutoCloseable {

  public final MockCluster cluster = new MockCluster();
  public final FakeArtifacts artifacts = new FakeArtifacts();
  public final OperatorMetrics metrics = new OperatorMetrics();
  private final KubernetesClient operatorClient = cluster.operatorClient();
  private final EventRecorder events = new EventRecorder(operatorClient, Clock.systemUTC());
  public final SemiSupervisedRunReconciler reconciler = new SemiSupervisedRunReconciler(
      new JobLauncher(operatorClient), artifacts, events,
      new StatusRecorder(operatorClient), metrics, Duration.ofSeconds(10), Clock.systemUTC());

  /** One reconcile of the named run (it writes its own status); returns what it asked JOSDK to do. */
  public UpdateControl<SemiSupervisedRun> reconcile(String name) throws Exception {
    return reconcile(Runs.NAMESPACE, name);
  }

  public UpdateControl<SemiSupervisedRun> reconcile(String namespace, String name) throws Exception {
    SemiSupervisedRun run = cluster.get(namespace, name);
    List<Job> jobs = cluster.client().batch().v1().jobs().inNamespace(namespace)
        .withLabel(StageJobs.RUN, name).list().getItems();
    return reconciler.reconcile(run, new FakeContext(jobs));
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

  private record FakeContext(List<Job> jobs) implements Context<SemiSupervisedRun> {
    @Override public Optional<RetryInfo> getRetryInfo() { return Optional.empty(); }
    @SuppressWarnings("unchecked")
    @Override public <R> Set<R> getSecondaryResources(Class<R> type) { return (Set<R>) Set.copyOf(jobs); }
    @Override public <R> Optional<R> getSecondaryResource(Class<R> type, String name) { return Optional.empty(); }
    @Override public ControllerConfiguration<SemiSupervisedRun> getControllerConfiguration() { return null; }
    @Override public ManagedWorkflowAndDependentResourceContext managedWorkflowAndDependentResourceContext() { return null; }
    @Override public EventSourceRetriever<SemiSupervisedRun> eventSourceRetriever() { return null; }
    @Override public KubernetesClient getClient() { return null; }
    @Override public ExecutorService getWorkflowExecutorService() { return null; }
    @Override public SemiSupervisedRun getPrimaryResource() { return null; }
    @Override public IndexedResourceCache<SemiSupervisedRun> getPrimaryCache() { return null; }
    @Override public boolean isNextReconciliationImminent() { return false; }
    @Override public boolean isPrimaryResourceDeleted() { return false; }
    @Override public boolean isPrimaryResourceFinalStateUnknown() { return false; }
  }
}
