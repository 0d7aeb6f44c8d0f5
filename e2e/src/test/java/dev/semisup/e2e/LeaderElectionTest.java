package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.semisup.e2e.helm.OperatorAccount;
import dev.semisup.operator.OperatorMain;
import dev.semisup.operator.OperatorMain.RunningOperator;
import dev.semisup.operator.config.OperatorConfig;
import dev.semisup.operator.testing.FakeArtifacts;
import dev.semisup.operator.testing.MockCluster;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.OperatorException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With LEADER_ELECTION_ENABLED the operator holds the semisup-operator Lease before it acts. The
 * mock API server answers the SelfSubjectRulesReview JOSDK sends at start with the rules the Helm
 * chart binds to the operator's ServiceAccount, so a chart that lacks a verb JOSDK checks fails here.
 */
class LeaderElectionTest {

  private static final String LEASE_NAMESPACE = OperatorAccount.RELEASE_NAMESPACE;

  @Test
  void theLeaderHoldsTheLeaseAndReconciles() throws Exception {
    OperatorAccount chart = OperatorAccount.ofChart("--set", "leaderElection.enabled=true",
        "--set", "watchNamespaces={" + Runs.NAMESPACE + "}");
    try (MockCluster cluster = new MockCluster();
        KubernetesClient operatorClient = cluster.operatorClient()) {
      cluster.grantRules(chart::resourceRulesIn);
      cluster.credentialsSecret(Runs.NAMESPACE, Runs.SECRET, "access", "secret");
      try (RunningOperator operator = OperatorMain.start(operatorClient, electing(), client -> new FakeArtifacts())) {
        await().atMost(Duration.ofSeconds(20)).until(() -> lease(cluster) != null
            && lease(cluster).getSpec().getHolderIdentity() != null);
        cluster.create(Runs.run("led"));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.job(Runs.NAMESPACE, "led-teacher") != null);
      }
      assertThat(lease(cluster).getMetadata().getName()).isEqualTo(OperatorConfig.LEASE_NAME);
      RecordedApiRequests.check("leader-election", cluster.apiCalls(OperatorMain.USER_AGENT));
    }
  }

  /** The chart without one of the verbs JOSDK checks: the operator refuses to start, as in a cluster. */
  @Test
  void withoutUpdateOnLeasesTheOperatorDoesNotStart() {
    OperatorAccount chart = OperatorAccount.ofChart("--set", "leaderElection.enabled=true");
    try (MockCluster cluster = new MockCluster();
        KubernetesClient operatorClient = cluster.operatorClient()) {
      cluster.grantRules(namespace -> chart.resourceRulesIn(namespace).stream()
          .map(rule -> new ResourceRuleBuilder(rule).withVerbs(rule.getVerbs().stream()
              .filter(verb -> !"update".equals(verb)).toList()).build())
          .toList());
      assertThatThrownBy(() -> OperatorMain.start(operatorClient, electing(), client -> new FakeArtifacts()).close())
          .isInstanceOf(OperatorException.class)
          .hasStackTraceContaining("missing required verbs: [update]");
    }
  }

  private static OperatorConfig electing() {
    return OperatorConfig.fromEnv(Map.of(
        "LEADER_ELECTION_ENABLED", "true",
        "OPERATOR_NAMESPACE", LEASE_NAMESPACE,
        "WATCH_NAMESPACES", Runs.NAMESPACE,
        "HTTP_PORT", "0")).withExitOnLostLeadership(false);
  }

  private static Lease lease(MockCluster cluster) {
    return cluster.client().leases().inNamespace(LEASE_NAMESPACE).withName(OperatorConfig.LEASE_NAME).get();
  }
}
