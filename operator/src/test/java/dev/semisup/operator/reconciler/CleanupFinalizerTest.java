package dev.semisup.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StorageCleanup;
import dev.semisup.operator.OperatorMain;
import dev.semisup.operator.OperatorMain.RunningOperator;
import dev.semisup.operator.config.OperatorConfig;
import dev.semisup.operator.testing.FakeArtifacts;
import dev.semisup.operator.testing.MockCluster;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's finalizer, with JOSDK running it: only a run whose artifacts go with it
 * (storage.cleanup: Delete) carries one, so deleting any other run never waits for the operator.
 */
class CleanupFinalizerTest {

  private static final String NS = Runs.NAMESPACE;
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MockCluster cluster = new MockCluster();
  private final KubernetesClient operatorClient = cluster.operatorClient();
  private final FakeArtifacts artifacts = new FakeArtifacts();
  private RunningOperator operator;

  @AfterEach
  void close() {
    if (operator != null) {
      operator.close();
    }
    operatorClient.close();
    cluster.close();
  }

  CleanupFinalizerTest() {
    cluster.credentialsSecret(NS, Runs.SECRET, "access", "secret");
  }

  private void startOperator() throws Exception {
    operator = OperatorMain.start(operatorClient, OperatorConfig.fromEnv(Map.of("WATCH_NAMESPACES", NS,
        "HTTP_PORT", "0", "PROGRESS_INTERVAL_SECONDS", "0.2")).withExitOnLostLeadership(false), client -> artifacts);
  }

  private SemiSupervisedRun run(String name, StorageCleanup cleanup) {
    SemiSupervisedRun run = Runs.run(name);
    run.getSpec().getStorage().setCleanup(cleanup);
    return run;
  }

  private List<String> finalizers(String name) {
    return cluster.get(NS, name).getMetadata().getFinalizers();
  }

  @Test
  void aKeptRunCarriesNoFinalizerSoItsDeletionNeedsNoOperator() throws Exception {
    startOperator();
    cluster.create(run("kept", StorageCleanup.Keep));
    await().atMost(WAIT).until(() -> cluster.job(NS, "kept-teacher") != null);
    assertThat(finalizers("kept")).isEmpty();

    operator.close();
    operator = null;
    cluster.client().resource(cluster.get(NS, "kept")).delete();

    assertThat(cluster.get(NS, "kept")).as("deleted at once, with no operator running").isNull();
  }

  @Test
  void aRunWhoseArtifactsAreDeletedKeepsTheFinalizerUntilTheyAre() throws Exception {
    startOperator();
    cluster.create(run("deleted", StorageCleanup.Delete));
    await().atMost(WAIT).until(() -> cluster.job(NS, "deleted-teacher") != null);
    assertThat(finalizers("deleted")).containsExactly(CleanupFinalizer.NAME);
    artifacts.put("runs/ml/deleted/teacher/model.params", new byte[3]);
    artifacts.down(true);

    cluster.client().resource(cluster.get(NS, "deleted")).delete();

    await().atMost(WAIT).until(() -> cluster.get(NS, "deleted").getMetadata().getDeletionTimestamp() != null);
    assertThat(cluster.get(NS, "deleted")).as("held while the store cannot be reached").isNotNull();
    artifacts.down(false);
    await().atMost(WAIT).until(() -> cluster.get(NS, "deleted") == null);
    assertThat(artifacts.keys()).doesNotContain("runs/ml/deleted/teacher/model.params");
  }

  @Test
  void aKeptRunGivenTheFinalizerByAnEarlierOperatorLosesIt() throws Exception {
    SemiSupervisedRun earlier = run("earlier", StorageCleanup.Keep);
    earlier.getMetadata().setFinalizers(List.of(CleanupFinalizer.NAME));
    cluster.create(earlier);

    startOperator();

    await().atMost(WAIT).until(() -> cluster.job(NS, "earlier-teacher") != null);
    await().atMost(WAIT).until(() -> finalizers("earlier").isEmpty());
  }
}
