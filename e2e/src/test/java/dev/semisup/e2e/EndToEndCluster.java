package dev.semisup.e2e;

import static org.awaitility.Awaitility.await;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.OperatorMain.RunningOperator;
import dev.semisup.operator.OperatorMain;
import dev.semisup.operator.config.OperatorConfig;
import dev.semisup.operator.testing.MockCluster;
import dev.semisup.worker.cli.Semisup;
import dev.semisup.worker.store.CuttableTcpProxy;
import dev.semisup.worker.store.S3TestServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Everything an end-to-end test needs in one JVM: the mock API server (CRUD, CRD registered), a
 * real S3 server behind a proxy that can be cut, the tiny data set, the operator started as its
 * main does, and the test kubelet running the worker for every pod the operator's Jobs ask for.
 */
public final class EndToEndCluster implements AutoCloseable {

  public static final String NAMESPACE = "e2e";
  public static final String SECRET = "s3-credentials";

  public final MockCluster cluster = new MockCluster();
  public final S3TestServer s3;
  public final CuttableTcpProxy storeProxy;
  public final ScriptedWorker worker;
  public final TestKubelet kubelet;
  private final KubernetesClient kubeletClient;
  private KubernetesClient operatorClient;
  private RunningOperator operator;

  public EndToEndCluster() throws Exception {
    this(true);
  }

  /** With {@code startOperator} false, no operator runs until {@link #startOperator()} (or one in another process). */
  public EndToEndCluster(boolean startOperator) throws Exception {
    this(startOperator, PodRunner.inProcess(Semisup::execute));
  }

  /** With the pods run by {@code pods} (the worker in this JVM, or containers). */
  public EndToEndCluster(boolean startOperator, PodRunner pods) throws Exception {
    worker = new ScriptedWorker(pods);
    s3 = S3TestServer.start();
    storeProxy = new CuttableTcpProxy(URI.create(s3.endpoint()).getPort());
    TinyData.write(s3.client(), s3.bucket());
    cluster.credentialsSecret(NAMESPACE, SECRET, s3.accessKey(), s3.secretKey());
    kubeletClient = cluster.clientWithUserAgent("semisup-test-kubelet");
    kubelet = new TestKubelet(kubeletClient, NAMESPACE, worker);
    if (startOperator) {
      startOperator();
    }
  }

  /** The operator as OperatorMain starts it, with the environment a Deployment would give it. */
  public void startOperator() throws Exception {
    operatorClient = cluster.operatorClient();
    OperatorConfig config = OperatorConfig.fromEnv(Map.of(
        "WATCH_NAMESPACES", NAMESPACE,
        "HTTP_PORT", "0",
        "PROGRESS_INTERVAL_SECONDS", "0.5")).withExitOnLostLeadership(false);
    operator = OperatorMain.start(operatorClient, config);
  }

  public void stopOperator() {
    operator.close();
    operatorClient.close();
    operator = null;
  }

  public RunningOperator operator() {
    return operator;
  }

  public SemiSupervisedRun tinyRun(String name) throws Exception {
    return TinyData.run(NAMESPACE, name, storeProxy.endpoint(), s3.bucket(), SECRET);
  }

  public SemiSupervisedRun get(String name) {
    return cluster.get(NAMESPACE, name);
  }

  /** The run once its phase is a finished one (Succeeded or Failed), read from the API server. */
  public SemiSupervisedRun awaitFinished(String name, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
      SemiSupervisedRun run = get(name);
      return run.getStatus() != null && run.getStatus().getPhase() != null && run.getStatus().getPhase().finished();
    });
    return get(name);
  }

  @Override
  public void close() throws Exception {
    if (operator != null) {
      stopOperator();
    }
    kubelet.close();
    kubeletClient.close();
    storeProxy.close();
    s3.close();
    cluster.close();
  }
}
