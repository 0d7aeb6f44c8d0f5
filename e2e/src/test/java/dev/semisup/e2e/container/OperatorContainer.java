package dev.semisup.e2e.container;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator as the chart's Deployment runs it: its image, with the env, securityContext,
 * volumes and resources of the Deployment {@code helm template} renders, as one container
 * ({@link PodmanRun}), talking to the test's API server over loopback. The test plays the kubelet's
 * probes: it waits for the readiness probe's endpoint and can ask the liveness probe's.
 */
public final class OperatorContainer implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Podman podman;
  private final String name;
  private final Process process;
  private final Path log;
  private final URI readiness;
  private final URI liveness;

  private OperatorContainer(Podman podman, String name, Process process, Path log, URI readiness, URI liveness) {
    this.podman = podman;
    this.name = name;
    this.process = process;
    this.log = log;
    this.readiness = readiness;
    this.liveness = liveness;
  }

  /** The container's podman run, and the probes the test runs itself. */
  record Plan(PodmanRun run, URI readiness, URI liveness) {
  }

  /**
   * The Deployment's one pod as a container named {@code name}: its pod spec translated, with the
   * API server's address in place of the service-account token a cluster would mount.
   */
  static Plan plan(Deployment deployment, String name, String masterUrl, Path terminationLog) {
    if (deployment.getSpec().getReplicas() != null && deployment.getSpec().getReplicas() != 1) {
      throw new UntranslatedPodException(List.of("spec.replicas: " + deployment.getSpec().getReplicas()
          + " (one operator container is run)"));
    }
    PodSpec pod = new PodSpecBuilder(deployment.getSpec().getTemplate().getSpec()).build();
    Container container = pod.getContainers().get(0);
    String namespace = deployment.getMetadata().getNamespace();
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      env.put(var.getName(), value(var, namespace));
    }
    // In a cluster the pod gets a service-account token and finds the API server through
    // KUBERNETES_SERVICE_HOST. The test's API server has no token authentication and listens on
    // this machine's loopback: the client is pointed at it and told not to look for a token or a
    // kubeconfig, so no token is mounted.
    pod.setAutomountServiceAccountToken(false);
    env.put("KUBERNETES_MASTER", masterUrl);
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    // The kubelet probes the container; here the test does (readiness before the first run,
    // liveness at the end), so podman is not asked to.
    URI readiness = probe(container, container.getReadinessProbe(), "readinessProbe");
    URI liveness = probe(container, container.getLivenessProbe(), "livenessProbe");
    container.setReadinessProbe(null);
    container.setLivenessProbe(null);
    return new Plan(PodmanRun.of(name, pod, env, terminationLog), readiness, liveness);
  }

  /** Starts the container; returns once its readiness probe answers 200. */
  public static OperatorContainer start(Podman podman, Deployment deployment, String masterUrl, Path dir,
      Duration readyWithin) throws IOException, InterruptedException {
    String name = "semisup-e2e-operator-" + ProcessHandle.current().pid();
    Files.createDirectories(dir);
    Path terminationLog = dir.resolve("operator.termination-log");
    Files.deleteIfExists(terminationLog);
    Files.createFile(terminationLog, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
    Files.setPosixFilePermissions(terminationLog, PosixFilePermissions.fromString("rw-rw-rw-"));
    Plan plan = plan(deployment, name, masterUrl, terminationLog);
    Path log = dir.resolve("operator.log");
    podman.remove(name);
    Process process = podman.command(plan.run().arguments()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    OperatorContainer operator = new OperatorContainer(podman, name, process, log, plan.readiness(), plan.liveness());
    Instant deadline = Instant.now().plus(readyWithin);
    while (!operator.answers(plan.readiness())) {
      if (!process.isAlive() || Instant.now().isAfter(deadline)) {
        operator.close();
        throw new IllegalStateException("the operator container " + (process.isAlive() ? "was not ready in "
            + readyWithin : "exited " + process.exitValue()) + " (" + plan.readiness() + "); its log:\n" + operator.logTail());
      }
      Thread.sleep(200);
    }
    return operator;
  }

  public String name() {
    return name;
  }

  public boolean running() {
    return process.isAlive();
  }

  /** Whether the liveness probe's endpoint answers 200, as the kubelet would ask it. */
  public boolean live() {
    return answers(liveness);
  }

  public String logTail() {
    try {
      String text = Files.readString(log);
      return text.substring(Math.max(0, text.length() - 6000));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private boolean answers(URI endpoint) {
    try {
      HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String value(EnvVar var, String namespace) {
    if (var.getValueFrom() == null) {
      return var.getValue();
    }
    if (var.getValueFrom().getFieldRef() != null && "metadata.namespace".equals(var.getValueFrom().getFieldRef().getFieldPath())) {
      return namespace;
    }
    throw new UntranslatedPodException(List.of("env[" + var.getName() + "].valueFrom: " + var.getValueFrom()
        + " (only fieldRef metadata.namespace is resolved for the operator)"));
  }

  /** The probe's HTTP endpoint on this machine (host network: the container's port is the host's). */
  private static URI probe(Container container, Probe probe, String field) {
    if (probe == null || probe.getHttpGet() == null) {
      throw new UntranslatedPodException(List.of("spec.containers[" + container.getName() + "]." + field
          + ": an httpGet probe is expected"));
    }
    HTTPGetAction get = probe.getHttpGet();
    int port;
    if (get.getPort().getIntVal() != null) {
      port = get.getPort().getIntVal();
    } else {
      port = container.getPorts().stream().filter(p -> get.getPort().getStrVal().equals(p.getName()))
          .map(ContainerPort::getContainerPort).findFirst()
          .orElseThrow(() -> new UntranslatedPodException(List.of(field + ": no container port named "
              + get.getPort().getStrVal())));
    }
    return URI.create("http://127.0.0.1:" + port + get.getPath());
  }

  @Override
  public void close() throws InterruptedException {
    podman.remove(name);
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
