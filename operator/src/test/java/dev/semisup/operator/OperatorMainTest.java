package dev.semisup.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.operator.OperatorMain.RunningOperator;
import dev.semisup.operator.config.OperatorConfig;
import dev.semisup.operator.testing.FakeArtifacts;
import dev.semisup.operator.testing.MockCluster;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator as main starts it, with informers and threads, against the mock API server. */
class OperatorMainTest {

  @Test
  void startedOperatorWalksARunAndServesHealthAndMetrics() throws Exception {
    try (MockCluster cluster = new MockCluster();
        KubernetesClient operatorClient = cluster.operatorClient()) {
      OperatorConfig config = OperatorConfig.fromEnv(Map.of("HTTP_PORT", "0", "PROGRESS_INTERVAL_SECONDS", "0.2"))
          .withExitOnLostLeadership(false);
      FakeArtifacts artifacts = new FakeArtifacts();
      cluster.credentialsSecret(Runs.NAMESPACE, Runs.SECRET, "access", "secret");
      try (RunningOperator operator = OperatorMain.start(operatorClient, config, client -> artifacts)) {
        cluster.create(Runs.run("fmnist"));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.job(Runs.NAMESPACE, "fmnist-teacher") != null);
        cluster.completeJob(Runs.NAMESPACE, "fmnist-teacher");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.job(Runs.NAMESPACE, "fmnist-infer") != null);
        await().atMost(Duration.ofSeconds(10)).until(() ->
            cluster.get(Runs.NAMESPACE, "fmnist").getStatus().getStage().equals("infer"));
        assertThat(cluster.get(Runs.NAMESPACE, "fmnist").getStatus().getPhase()).isEqualTo(RunPhase.Running);
        assertThat(cluster.jobs(Runs.NAMESPACE, "fmnist")).hasSize(2);

        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + operator.health().port();
        assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get(http, base + "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("semisup_reconciles_total", "semisup_steps_started_total{stage=\"infer\"} 1.0",
            "semisup_step_duration_seconds_count{stage=\"teacher\"} 1", "semisup_runs{phase=\"Running\"} 1.0");
      }
    }
  }

  @Test
  void settingsComeFromTheEnvironment() {
    OperatorConfig defaults = OperatorConfig.fromEnv(Map.of());
    assertThat(defaults.watchesAllNamespaces()).isTrue();
    assertThat(defaults.leaderElection()).isFalse();
    assertThat(defaults.httpPort()).isEqualTo(8080);
    assertThat(defaults.progressInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.trainerImage()).isEqualTo("ghcr.io/semisup/semisup-trainer:0.1.0");
    OperatorConfig set = OperatorConfig.fromEnv(Map.of("WATCH_NAMESPACES", "ml, research,", "LEADER_ELECTION_ENABLED",
        "true", "OPERATOR_NAMESPACE", "semisup-system", "HTTP_PORT", "9090",
        "TRAINER_IMAGE", " registry.example/semisup-trainer:2.7.1-cu128 "));
    assertThat(set.trainerImage()).isEqualTo("registry.example/semisup-trainer:2.7.1-cu128");
    assertThat(set.watchNamespaces()).containsExactly("ml", "research");
    assertThat(set.leaderElection()).isTrue();
    assertThat(set.leaseNamespace()).isEqualTo("semisup-system");
    assertThat(set.httpPort()).isEqualTo(9090);
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("PROGRESS_INTERVAL_SECONDS", "soon")))
        .hasMessageContaining("PROGRESS_INTERVAL_SECONDS");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("HTTP_PORT", "eighty")))
        .hasMessageContaining("HTTP_PORT");
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
