package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator whose start fails must end its process: a Deployment's pod is restarted only when its
 * container exits, and threads left by the failed start (the client's, the informers') would keep
 * the JVM and its /healthz alive while nothing reconciles.
 */
class OperatorStartFailureTest {

  @Test
  @Timeout(120)
  void anOperatorThatCannotReachTheApiServerExitsWithOne(@TempDir Path logs) throws Exception {
    Path log = logs.resolve("operator.log");
    // Port 1 on loopback: nothing listens, every connection is refused.
    Process operator = OperatorProcess.start("https://127.0.0.1:1", EndToEndCluster.NAMESPACE, log);
    try {
      assertThat(operator.waitFor(90, TimeUnit.SECONDS)).as("the operator exited; its log:%n%s",
          Files.exists(log) ? Files.readString(log) : "(none)").isTrue();
    } finally {
      operator.destroyForcibly();
    }
    assertThat(operator.exitValue()).isEqualTo(1);
    assertThat(Files.readString(log)).contains("semisup operator could not start");
  }
}
