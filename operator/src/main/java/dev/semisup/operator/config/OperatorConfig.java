package dev.semisup.operator.config;

import dev.semisup.operator.jobs.PodGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, read from the environment (the Deployment sets them; the chart's
 * values map onto them one to one).
 *
 * @param watchNamespaces      WATCH_NAMESPACES: comma list; empty = every namespace
 * @param leaderElection       LEADER_ELECTION_ENABLED: true to run several replicas, one active
 * @param leaseNamespace       OPERATOR_NAMESPACE: where the {@value #LEASE_NAME} Lease lives
 *                             (default: the pod's own namespace, else "default")
 * @param httpPort             HTTP_PORT: /healthz, /readyz, /metrics (default 8080; 0 = any free port)
 * @param progressInterval     PROGRESS_INTERVAL_SECONDS: how often a running step's progress.json
 *                             is read into the status (default 10)
 * @param reconcileThreads     RECONCILE_THREADS: runs reconciled at once (default 10)
 * @param podCreationBound     POD_CREATION_BOUND_SECONDS: how long a Job may have no pod before the
 *                             run says so (default 120)
 * @param policy               ALLOWED_IMAGES, ALLOWED_SERVICE_ACCOUNTS, ALLOWED_ENDPOINTS: comma
 *                             lists of what a run may ask for ({@code *} at the end: a prefix);
 *                             empty allows anything
 * @param trainerImage         TRAINER_IMAGE: the image of torch-ddp steps without spec.trainer.image
 *                             (default {@value PodGroup#DEFAULT_IMAGE})
 * @param exitOnLostLeadership stop the JVM when the lease is lost (always in a pod; tests say no)
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    boolean leaderElection,
    String leaseNamespace,
    int httpPort,
    Duration progressInterval,
    int reconcileThreads,
    Duration podCreationBound,
    RunPolicy policy,
    String trainerImage,
    boolean exitOnLostLeadership) {

  public static final String LEASE_NAME = "semisup-operator";
  private static final Path POD_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

  public static OperatorConfig fromEnv(Map<String, String> env) {
    return new OperatorConfig(
        list(env, "WATCH_NAMESPACES"),
        Boolean.parseBoolean(env.getOrDefault("LEADER_ELECTION_ENABLED", "false").trim()),
        env.getOrDefault("OPERATOR_NAMESPACE", podNamespace()),
        integer(env, "HTTP_PORT", 8080),
        seconds(env, "PROGRESS_INTERVAL_SECONDS", 10),
        integer(env, "RECONCILE_THREADS", 10),
        seconds(env, "POD_CREATION_BOUND_SECONDS", 120),
        new RunPolicy(list(env, "ALLOWED_IMAGES"), list(env, "ALLOWED_SERVICE_ACCOUNTS"), list(env, "ALLOWED_ENDPOINTS")),
        env.getOrDefault("TRAINER_IMAGE", "").isBlank() ? PodGroup.DEFAULT_IMAGE : env.get("TRAINER_IMAGE").trim(),
        true);
  }

  public OperatorConfig withExitOnLostLeadership(boolean exit) {
    return new OperatorConfig(watchNamespaces, leaderElection, leaseNamespace, httpPort, progressInterval,
        reconcileThreads, podCreationBound, policy, trainerImage, exit);
  }

  public boolean watchesAllNamespaces() {
    return watchNamespaces.isEmpty();
  }

  private static Set<String> list(Map<String, String> env, String name) {
    return Arrays.stream(env.getOrDefault(name, "").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  private static int integer(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, was '" + value + "'");
    }
  }

  private static Duration seconds(Map<String, String> env, String name, double fallback) {
    String value = env.get(name);
    try {
      double seconds = value == null || value.isBlank() ? fallback : Double.parseDouble(value.trim());
      if (!(seconds > 0)) {
        throw new NumberFormatException();
      }
      return Duration.ofMillis(Math.round(seconds * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a positive number of seconds, was '" + value + "'");
    }
  }

  private static String podNamespace() {
    try {
      return Files.isReadable(POD_NAMESPACE) ? Files.readString(POD_NAMESPACE).trim() : "default";
    } catch (java.io.IOException e) {
      return "default";
    }
  }
}
