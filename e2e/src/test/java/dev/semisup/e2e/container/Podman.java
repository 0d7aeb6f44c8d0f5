package dev.semisup.e2e.container;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The podman binary and the images {@code scripts/build-images.sh} builds into its storage. Without
 * them the container tests are skipped on a workstation and fail in CI (CI=true), so a CI that
 * forgot to build the images cannot pass by skipping.
 */
public final class Podman {

  /** The images scripts/build-images.sh builds, named by the same variables it reads. */
  public static final String WORKER_IMAGE = System.getenv().getOrDefault("WORKER_IMAGE", "localhost/semisup-worker:dev");
  public static final String OPERATOR_IMAGE =
      System.getenv().getOrDefault("OPERATOR_IMAGE", "localhost/semisup-operator:dev");
  /** The trainer's CPU variant. */
  public static final String TRAINER_IMAGE =
      System.getenv().getOrDefault("TRAINER_IMAGE", "localhost/semisup-trainer:dev");

  private final String binary;

  private Podman(String binary) {
    this.binary = binary;
  }

  /** Podman with every one of {@code images} in its storage; else the test is skipped (or fails in CI). */
  public static Podman require(String... images) {
    String binary = System.getenv().getOrDefault("PODMAN_BIN", "podman");
    Podman podman = new Podman(binary);
    Result version = podman.tryRun(List.of("--version"));
    if (version.exitCode() != 0) {
      unavailable("no working podman (" + binary + " --version: " + version.output().strip()
          + "); install podman and runc");
    }
    List<String> missing = new ArrayList<>();
    for (String image : images) {
      if (podman.tryRun(List.of("image", "exists", image)).exitCode() != 0) {
        missing.add(image);
      }
    }
    if (!missing.isEmpty()) {
      unavailable("podman has no image " + String.join(", ", missing) + " (build them with scripts/build-images.sh)");
    }
    return podman;
  }

  private static void unavailable(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why + "; CI=true, so this is an error, not a skip");
    }
    // Surefire reports a class skipped in @BeforeAll as "Tests run: 0": say why on the console.
    System.err.println("SKIPPED: " + why + ": container tests skipped");
    assumeTrue(false, why + ": container tests skipped");
  }

  /** A process running {@code podman <arguments>}, not started. */
  public ProcessBuilder command(List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.addAll(arguments);
    return new ProcessBuilder(command);
  }

  /** Sends SIGKILL to the container's process, as the kernel's OOM killer or a node's crash would end it. */
  public void kill(String container) {
    Result result = tryRun(List.of("kill", "--signal", "KILL", container));
    if (result.exitCode() != 0) {
      throw new IllegalStateException("podman kill " + container + " failed: " + result.output());
    }
  }

  /**
   * {@code podman stop}: SIGTERM to the container's process, SIGKILL once {@code grace} has
   * passed, as the kubelet stops a deleted pod's container; returns when the container has stopped.
   */
  Result stop(String container, java.time.Duration grace) {
    return tryRun(List.of("stop", "--time", Long.toString(grace.toSeconds()), container));
  }

  /** Removes the container, stopping it first if it runs; no error when it is gone already. */
  public void remove(String container) {
    tryRun(List.of("rm", "--force", "--ignore", "--time", "0", container));
  }

  /** {@code podman inspect --format <format> <container>}. */
  public String inspect(String container, String format) {
    Result result = tryRun(List.of("inspect", "--format", format, container));
    if (result.exitCode() != 0) {
      throw new IllegalStateException("podman inspect " + container + " failed: " + result.output());
    }
    return result.output().strip();
  }

  Result tryRun(List<String> arguments) {
    try {
      Process process = command(arguments).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "podman " + arguments + " did not finish in 60 s");
      }
      return new Result(process.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  record Result(int exitCode, String output) {
  }
}
