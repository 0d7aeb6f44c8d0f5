package dev.semisup.e2e.container;

import dev.semisup.e2e.JobPod;
import dev.semisup.e2e.PodRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs each pod as a real container: {@code podman run} of the pod's image with what its template
 * asks for ({@link PodmanRun}), the container's output kept as the pod's log (what
 * {@code kubectl logs} shows) and handed to the kubelet, the container's exit code returned.
 * Containers are named {@code <prefix><pod>}: a test can find one and kill it.
 */
public final class ContainerPodRunner implements PodRunner, AutoCloseable {

  private final Podman podman;
  private final Path logs;
  // Unique per runner: containers of another test run on the same machine never share a name.
  private final String prefix = "semisup-e2e-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-";
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final List<JobPod> started = new java.util.concurrent.CopyOnWriteArrayList<>();

  public ContainerPodRunner(Podman podman, Path logs) {
    this.podman = podman;
    this.logs = logs;
  }

  @Override
  public int run(JobPod pod, PrintWriter out, PrintWriter err) {
    String container = containerName(pod.name());
    PodmanRun run = PodmanRun.of(container, pod.spec(), pod.env(), pod.terminationLog(), pod.clusterHosts());
    Path log = log(pod.name());
    try {
      // The kubelet creates the file the container's user writes its termination message to.
      Files.setPosixFilePermissions(pod.terminationLog(), PosixFilePermissions.fromString("rw-rw-rw-"));
      Files.createDirectories(logs);
      running.add(container);
      started.add(pod);
      Process process = podman.command(run.arguments()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      int code = process.waitFor();
      err.print(Files.readString(log, StandardCharsets.UTF_8));
      err.flush();
      return code;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run pod " + pod.name() + " as container " + container, e);
    } catch (InterruptedException e) {
      // The kubelet is closing: the pod's container goes with it.
      Thread.currentThread().interrupt();
      podman.remove(container);
      return 137;
    } finally {
      running.remove(container);
    }
  }

  public String containerName(String pod) {
    return prefix + pod;
  }

  /** The pod's log: its container's stdout and stderr, and podman's own errors. */
  public Path log(String pod) {
    return logs.resolve(pod + ".log");
  }

  /** Whether the pod's container runs now. */
  public boolean running(String pod) {
    return running.contains(containerName(pod));
  }

  /** Every pod started as a container so far, in order. */
  public List<JobPod> started() {
    return new ArrayList<>(started);
  }

  /**
   * {@code podman stop} with the pod's grace period: SIGTERM, then SIGKILL. A container podman has
   * not made yet (its {@code podman run} just started) is stopped once it exists; a pod whose
   * container was never started is interrupted where it waits.
   */
  @Override
  public void stop(JobPod pod, Thread runningOn, Duration grace) {
    String container = containerName(pod.name());
    if (!running.contains(container)) {
      runningOn.interrupt();
      return;
    }
    Instant giveUp = Instant.now().plus(grace).plusSeconds(30);
    while (running.contains(container) && Instant.now().isBefore(giveUp)) {
      if (podman.stop(container, grace).exitCode() == 0) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** SIGKILL to the pod's container. */
  public void kill(String pod) {
    podman.kill(containerName(pod));
  }

  @Override
  public void close() {
    for (String container : running) {
      podman.remove(container);
    }
  }
}
