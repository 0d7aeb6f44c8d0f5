package dev.semisup.operator;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.config.OperatorConfig;
import dev.semisup.operator.health.HealthServer;
import dev.semisup.operator.jobs.JobLauncher;
import dev.semisup.operator.metrics.OperatorMetrics;
import dev.semisup.operator.observer.ArtifactReaders;
import dev.semisup.operator.observer.MinioArtifactReaders;
import dev.semisup.operator.observer.RunObserver;
import dev.semisup.operator.reconciler.SemiSupervisedRunReconciler;
import dev.semisup.operator.status.EventRecorder;
import dev.semisup.operator.status.StatusRecorder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the operator: a Kubernetes client from the pod's service account (or kubeconfig), the
 * SemiSupervisedRun controller, and the health/metrics HTTP server. Settings come from the
 * environment, see {@link OperatorConfig}; logs are plain text or JSON ({@code LOG_FORMAT=json}).
 */
public final class OperatorMain {

  /** The operator's User-Agent: it tells its requests apart in audit logs (and in the e2e request log). */
  public static final String USER_AGENT = "semisup-operator/0.1.0";
  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {
  }

  public static void main(String[] args) throws Exception {
    OperatorConfig config = OperatorConfig.fromEnv(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(withUserAgent(Config.autoConfigure(null))).build();
    RunningOperator running;
    try {
      running = start(client, config);
    } catch (RuntimeException e) {
      // Threads the failed start left behind (informers, the client's) must not keep a pod that can
      // never reconcile alive: exit, so the kubelet restarts it and its status shows why.
      LOG.error("semisup operator could not start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "operator-shutdown"));
    new CountDownLatch(1).await();
  }

  public static Config withUserAgent(Config config) {
    return new ConfigBuilder(config).withUserAgent(USER_AGENT).build();
  }

  /** Builds and starts the operator with the MinIO artifact reader: what main and the e2e tests run. */
  public static RunningOperator start(KubernetesClient client, OperatorConfig config) throws IOException {
    return start(client, config, c -> new MinioArtifactReaders());
  }

  /** The same, with another way to read artifacts (unit tests pass a fake). */
  public static RunningOperator start(KubernetesClient client, OperatorConfig config,
      Function<KubernetesClient, ArtifactReaders> readers) throws IOException {
    OperatorMetrics metrics = new OperatorMetrics();
    Clock clock = Clock.systemUTC();
    EventRecorder events = new EventRecorder(client, clock);
    ArtifactReaders artifacts = readers.apply(client);
    RunObserver observer = new RunObserver(client, artifacts, config.podCreationBound(), clock);
    SemiSupervisedRunReconciler reconciler = new SemiSupervisedRunReconciler(observer, artifacts, new JobLauncher(client),
        events, new StatusRecorder(client), metrics, config.policy(), config.trainerImage(),
        config.progressInterval(), clock);
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          // Status goes out as a JSON patch of the status subresource: one code path for real API
          // servers and the mock (which has no server-side apply).
          .withUseSSAToPatchPrimaryResource(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false)
          // Keep our own status write in the cache until the watch delivers a newer version
          // (Kubernetes resourceVersions are etcd revisions: they only grow).
          .withParseResourceVersions(true)
          .withConcurrentReconciliationThreads(config.reconcileThreads())
          .withCloseClientOnStop(false);
      if (config.leaderElection()) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(OperatorConfig.LEASE_NAME,
            config.leaseNamespace(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
            LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
            LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null, null, config.exitOnLostLeadership()));
      }
    });
    operator.register(reconciler, c -> {
      c.withName(SemiSupervisedRunReconciler.NAME)
          // Deletions reach reconcile too: it puts the finalizer only on runs that need one.
          .withTriggerReconcilerOnAllEvents(true)
          // The retry annotation changes metadata, not the generation, so generation-aware
          // filtering would miss it; our own status writes, though, need no second look.
          .withGenerationAware(false)
          .withOnUpdateFilter(OperatorMain::specOrMetadataChanged);
      if (config.watchesAllNamespaces()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(config.watchNamespaces());
      }
    });
    HealthServer health = new HealthServer(config.httpPort(),
        () -> !operator.getRuntimeInfo().isStarted() || operator.getRuntimeInfo().allEventSourcesAreHealthy(),
        () -> operator.getRuntimeInfo().isStarted(),
        metrics::scrape);
    try {
      operator.start();
    } catch (RuntimeException e) {
      // Leader election refuses to start without its Lease permissions: leave nothing running.
      events.close();
      health.close();
      throw e;
    }
    LOG.info("semisup operator started: namespaces {}, leader election {}, http port {}",
        config.watchesAllNamespaces() ? "all" : config.watchNamespaces(), config.leaderElection(), health.port());
    return new RunningOperator(operator, health, metrics, events);
  }

  static boolean specOrMetadataChanged(SemiSupervisedRun after, SemiSupervisedRun before) {
    return !java.util.Objects.equals(after.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !java.util.Objects.equals(after.getMetadata().getAnnotations(), before.getMetadata().getAnnotations())
        // The reconciler adds or removes its finalizer, then reconciles on the update that carries it.
        || !java.util.Objects.equals(after.getMetadata().getFinalizers(), before.getMetadata().getFinalizers())
        || after.getMetadata().getDeletionTimestamp() != null;
  }

  /** A started operator: stop it with {@link #close()}. */
  public record RunningOperator(Operator operator, HealthServer health, OperatorMetrics metrics,
      EventRecorder events) implements AutoCloseable {

    @Override
    public void close() {
      try {
        operator.stop();
      } finally {
        events.close();
        health.close();
      }
    }
  }
}
