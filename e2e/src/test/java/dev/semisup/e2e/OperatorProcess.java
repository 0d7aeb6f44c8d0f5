package dev.semisup.e2e;

import dev.semisup.operator.OperatorMain;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The operator as its container runs it: {@link OperatorMain#main} in a JVM of its own, configured
 * by the environment a Deployment gives it, talking to the mock API server over HTTP. A test can
 * kill it for real (SIGKILL: no shutdown hook, no last write).
 */
final class OperatorProcess {

  private OperatorProcess() {
  }

  static Process start(String masterUrl, String namespace, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        OperatorMain.class.getName());
    builder.environment().putAll(Map.of(
        "KUBERNETES_MASTER", masterUrl,
        "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
        "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false",
        "KUBERNETES_NAMESPACE", namespace,
        "WATCH_NAMESPACES", namespace,
        "OPERATOR_NAMESPACE", namespace,
        "HTTP_PORT", "0",
        "PROGRESS_INTERVAL_SECONDS", "0.5"));
    File logFile = log.toFile();
    return builder.redirectErrorStream(true).redirectOutput(logFile).start();
  }
}
