package dev.semisup.e2e.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.e2e.helm.Helm;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chart's rendered Deployment as the container the container e2e starts (helm, no podman). */
class OperatorContainerTest {

  @Test
  void theChartsOperatorPodRunsAsItsDeploymentSays() {
    Deployment deployment = Helm.require().template("--set", "image.repository=localhost/semisup-operator",
            "--set", "image.tag=dev", "--set", "watchNamespaces={e2e}", "--set", "operator.httpPort=18080")
        .get(Deployment.class, Helm.NAMESPACE, Helm.RELEASE + "-operator");

    OperatorContainer.Plan plan = OperatorContainer.plan(deployment, "operator", "http://127.0.0.1:6443",
        Path.of("/scratch/operator.termination-log"));

    List<String> args = plan.run().arguments();
    assertThat(PodmanRunTest.pairs(args)).contains(
        "--user 1000:1000", "--security-opt no-new-privileges", "--cap-drop ALL",
        "--memory 536870912", "--cpu-shares 102", "--tmpfs /tmp:rw,mode=1777,size=268435456", "--stop-timeout 30",
        "--env WATCH_NAMESPACES=e2e", "--env OPERATOR_NAMESPACE=" + Helm.NAMESPACE, "--env HTTP_PORT=18080",
        "--env KUBERNETES_MASTER=http://127.0.0.1:6443", "--env KUBERNETES_AUTH_TRYSERVICEACCOUNT=false",
        "--env KUBERNETES_AUTH_TRYKUBECONFIG=false");
    assertThat(args).containsSubsequence("--read-only", "--read-only-tmpfs=false")
        .doesNotContain("--entrypoint").endsWith("localhost/semisup-operator:dev");
    assertThat(plan.readiness()).isEqualTo(URI.create("http://127.0.0.1:18080/readyz"));
    assertThat(plan.liveness()).isEqualTo(URI.create("http://127.0.0.1:18080/healthz"));
  }
}
