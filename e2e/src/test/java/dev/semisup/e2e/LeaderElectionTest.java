package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.semisup.operator.OperatorMain;
import dev.semisup.operator.OperatorMain.RunningOperator;
import dev.semisup.operator.config.OperatorConfig;
import dev.semisup.operator.testing.FakeArtifacts;
import dev.semisup.operator.testing.MockCluster;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With LEADER_ELECTION_ENABLED the operator holds the semisup-operator Lease before it acts. */
class LeaderElectionTest {

  @Test
  void theLeaderHoldsTheLeaseAndReconciles() throws Exception {
    try (MockCluster cluster = new MockCluster();
        KubernetesClient operatorClient = cluster.operatorClient()) {
      OperatorConfig config = OperatorConfig.fromEnv(Map.of(
          "LEADER_ELECTION_ENABLED", "true",
          "OPERATOR_NAMESPACE", "semisup-system",
          "WATCH_NAMESPACES", Runs.NAMESPACE,
          "HTTP_PORT", "0")).withExitOnLostLeadership(false);
      try (RunningOperator operator = OperatorMain.start(operatorClient, config, client -> new FakeArtifacts())) {
        await().atMost(Duration.ofSeconds(20)).until(() -> lease(cluster) != null
            && lease(cluster).getSpec().getHolderIdentity() != null);
        cluster.create(Runs.run("led"));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.job(Runs.NAMESPACE, "led-teacher") != null);
      }
      assertThat(lease(cluster).getMetadata().getName()).isEqualTo(OperatorConfig.LEASE_NAME);
      RecordedApiRequests.check("leader-election", cluster.apiCalls(OperatorMain.USER_AGENT));
    }
  }

  private static Lease lease(MockCluster cluster) {
    return cluster.client().leases().inNamespace("semisup-system").withName(OperatorConfig.LEASE_NAME).get();
  }
}
