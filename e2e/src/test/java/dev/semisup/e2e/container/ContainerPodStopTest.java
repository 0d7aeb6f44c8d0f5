package dev.semisup.e2e.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.semisup.e2e.JobPod;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A deleted pod's container stopped as the kubelet stops it ({@link ContainerPodRunner#stop}):
 * SIGTERM to a real container of the worker image, SIGKILL once the grace period has passed.
 */
class ContainerPodStopTest {

  private static final Duration GRACE = Duration.ofSeconds(2);
  private static Podman podman;

  @BeforeAll
  static void requirePodman() {
    podman = Podman.require(Podman.WORKER_IMAGE);
  }

  @Test
  @Timeout(120)
  void aContainerThatSigtermEndsStopsAtOnceWithItsExitCode() throws Exception {
    Stopped stopped = runAndStop("stop-term", "trap 'exit 143' TERM; while true; do sleep 0.1; done");

    assertThat(stopped.exitCode()).isEqualTo(143);
    assertThat(stopped.afterStop()).as("no grace period waited out").isLessThan(GRACE);
  }

  @Test
  @Timeout(120)
  void aContainerThatIgnoresSigtermIsKilledOnceItsGracePeriodHasPassed() throws Exception {
    Stopped stopped = runAndStop("stop-kill", "trap '' TERM; while true; do sleep 0.1; done");

    assertThat(stopped.exitCode()).isEqualTo(137);
    assertThat(stopped.afterStop()).isGreaterThanOrEqualTo(GRACE);
  }

  private record Stopped(int exitCode, Duration afterStop) {
  }

  /** Runs {@code script} as a pod's container, stops it once it runs, and waits for its end. */
  private Stopped runAndStop(String name, String script) throws Exception {
    Path dir = Files.createTempDirectory("container-stop");
    Path terminationLog = Files.createFile(dir.resolve(name + ".termination-log"));
    PodSpec spec = new PodSpecBuilder().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(GRACE.toSeconds())
        .withContainers(new ContainerBuilder().withName("main").withImage(Podman.WORKER_IMAGE)
            .withCommand("sh", "-c", script).build())
        .build();
    JobPod pod = new JobPod(name, "e2e", spec, Map.of(), terminationLog);
    try (ContainerPodRunner runner = new ContainerPodRunner(podman, dir.resolve("logs"))) {
      AtomicReference<Thread> thread = new AtomicReference<>();
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
        thread.set(Thread.currentThread());
        return runner.run(pod, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
      });
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> runner.running(name) && "running".equals(tryInspect(runner.containerName(name))));
      Instant stop = Instant.now();
      runner.stop(pod, thread.get(), GRACE);
      int code = exit.get(60, TimeUnit.SECONDS);
      return new Stopped(code, Duration.between(stop, Instant.now()));
    }
  }

  private static String tryInspect(String container) {
    try {
      return podman.inspect(container, "{{.State.Status}}");
    } catch (IllegalStateException e) {
      return "absent";
    }
  }
}
