package dev.semisup.e2e.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code podman run} command line that runs one pod's container as a kubelet would: the
 * container's command and args, its resolved environment, the securityContext (pod and container
 * level), emptyDir volumes, CPU and memory, and the termination log. Pure: the pod template in,
 * the arguments out, so every translation is checked by a unit test. Every pod shares this
 * machine's network, so a pod's host name and the names cluster DNS gives the pods of its
 * subdomain all mean 127.0.0.1.
 *
 * <p>Every field of the pod spec and container is either translated here or refused with an
 * {@link UntranslatedPodException} naming it: a field this runner ignored would make a container
 * run here that a cluster would run differently.
 */
public record PodmanRun(List<String> arguments) {

  /** What this machine's podman needs, whatever the pod (see /work/shared/TESTING.md). */
  static final List<String> MACHINE_FLAGS = List.of(
      // crun fails here ("cgroups in hybrid mode not supported").
      "--runtime", "runc",
      // podman's defaults raise these limits, which the sandbox refuses ("error setting rlimit").
      "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096",
      // The test's API server and S3 server listen on 127.0.0.1 of this machine.
      "--network", "host");

  // Read but given no flag: serviceAccountName (an identity only a mounted token would carry; none
  // is mounted), ports (with host networking the container listens on this machine's port:
  // nothing to publish), terminationMessagePolicy (the kubelet reads the log on its side),
  // subdomain (cluster DNS answers for it: the caller passes those names in).
  private static final Set<String> POD_FIELDS = Set.of("containers", "restartPolicy", "serviceAccountName",
      "automountServiceAccountToken", "securityContext", "volumes", "terminationGracePeriodSeconds", "hostname",
      "subdomain");
  private static final Set<String> CONTAINER_FIELDS = Set.of("name", "image", "imagePullPolicy", "command", "args",
      "env", "resources", "terminationMessagePath", "terminationMessagePolicy", "securityContext", "volumeMounts",
      "ports");
  private static final Set<String> POD_SECURITY_FIELDS = Set.of("runAsNonRoot", "runAsUser", "runAsGroup", "fsGroup",
      "fsGroupChangePolicy", "supplementalGroups", "seccompProfile");
  private static final Set<String> CONTAINER_SECURITY_FIELDS = Set.of("runAsNonRoot", "runAsUser", "runAsGroup",
      "allowPrivilegeEscalation", "readOnlyRootFilesystem", "privileged", "capabilities", "seccompProfile");
  private static final Set<String> VOLUME_FIELDS = Set.of("name", "emptyDir");
  private static final Set<String> MOUNT_FIELDS = Set.of("name", "mountPath");
  private static final Set<String> RESOURCES = Set.of("cpu", "memory");
  private static final String DEFAULT_TERMINATION_LOG = "/dev/termination-log";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectMapper JSON = new ObjectMapper();

  public PodmanRun {
    arguments = List.copyOf(arguments);
  }

  /**
   * @param containerName the name podman gives the container (a test kills it by this name)
   * @param pod the pod spec with exactly one container
   * @param env the container's environment with every valueFrom resolved, as the kubelet passes it
   * @param terminationLog the host file mounted at the container's terminationMessagePath
   */
  public static PodmanRun of(String containerName, PodSpec pod, Map<String, String> env, Path terminationLog) {
    return of(containerName, pod, env, terminationLog, List.of());
  }

  /**
   * @param clusterHosts the host names cluster DNS answers in the pod's subdomain (its group's
   *     pods), each resolved to this machine in the container
   */
  public static PodmanRun of(String containerName, PodSpec pod, Map<String, String> env, Path terminationLog,
      List<String> clusterHosts) {
    List<String> refused = new ArrayList<>();
    if (pod.getContainers() == null || pod.getContainers().size() != 1) {
      throw new UntranslatedPodException(List.of("spec.containers: exactly one container is translated, the pod has "
          + (pod.getContainers() == null ? 0 : pod.getContainers().size())));
    }
    Container container = pod.getContainers().get(0);
    String at = "spec.containers[" + container.getName() + "]";
    refuseOthers("spec", pod, POD_FIELDS, refused);
    refuseOthers(at, container, CONTAINER_FIELDS, refused);

    List<String> args = new ArrayList<>(List.of("run", "--rm", "--name", containerName));
    args.addAll(MACHINE_FLAGS);
    args.addAll(pull(container, at, refused));
    podLevel(pod, args, refused);
    hosts(pod, clusterHosts, args);
    security(pod.getSecurityContext(), container.getSecurityContext(), at, args, refused);
    resources(container, at, args);
    resourcesRefused(container, at, refused);
    volumes(pod, container, at, args, refused);
    String logPath = container.getTerminationMessagePath() == null
        ? DEFAULT_TERMINATION_LOG : container.getTerminationMessagePath();
    args.addAll(List.of("--volume", terminationLog.toAbsolutePath() + ":" + logPath + ":rw"));
    environment(container, env, at, args, refused);
    if (container.getCommand() != null && !container.getCommand().isEmpty()) {
      // A pod's command replaces the image's ENTRYPOINT and drops its CMD; podman's --entrypoint does both.
      args.addAll(List.of("--entrypoint", json(expand(container.getCommand(), env))));
    }
    if (!refused.isEmpty()) {
      throw new UntranslatedPodException(refused);
    }
    args.add(container.getImage());
    if (container.getArgs() != null) {
      args.addAll(expand(container.getArgs(), env));
    }
    return new PodmanRun(args);
  }

  /** The pod's own host name, and the names of its subdomain, on this machine's one address. */
  private static void hosts(PodSpec pod, List<String> clusterHosts, List<String> args) {
    if (pod.getHostname() != null && !pod.getHostname().isBlank()) {
      args.addAll(List.of("--hostname", pod.getHostname(), "--add-host", pod.getHostname() + ":127.0.0.1"));
    }
    for (String host : clusterHosts) {
      args.addAll(List.of("--add-host", host + ":127.0.0.1"));
    }
  }

  /**
   * The kubelet's expansion of command and args: {@code $(NAME)} becomes the container's variable
   * NAME, a reference to an unset one stays as written, and {@code $$} is a literal {@code $}.
   */
  static List<String> expand(List<String> values, Map<String, String> env) {
    List<String> expanded = new ArrayList<>();
    for (String value : values) {
      expanded.add(expand(value, env));
    }
    return expanded;
  }

  private static String expand(String value, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      int close = value.indexOf(')', i + 2);
      if (c != '$' || i + 1 == value.length()) {
        out.append(c);
      } else if (value.charAt(i + 1) == '$') {
        out.append('$');
        i++;
      } else if (value.charAt(i + 1) == '(' && close > 0) {
        String name = value.substring(i + 2, close);
        out.append(env.containsKey(name) ? Objects.toString(env.get(name), "") : value.substring(i, close + 1));
        i = close;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static List<String> pull(Container container, String at, List<String> refused) {
    if (container.getImage() == null || container.getImage().isBlank()) {
      refused.add(at + ".image: empty");
      return List.of();
    }
    String policy = container.getImagePullPolicy();
    if (policy == null) {
      policy = container.getImage().endsWith(":latest") || !container.getImage().contains(":") ? "Always" : "IfNotPresent";
    }
    if (policy.equals("IfNotPresent") || policy.equals("Never")) {
      // The images are built on this machine and no registry is reachable: a missing image fails
      // the pod, as ErrImageNeverPull would.
      return List.of("--pull", "never");
    }
    refused.add(at + ".imagePullPolicy: " + policy + " pulls from a registry; none is reachable here");
    return List.of();
  }

  private static void podLevel(PodSpec pod, List<String> args, List<String> refused) {
    if (pod.getRestartPolicy() != null && !pod.getRestartPolicy().equals("Never")) {
      // The test kubelet starts a new pod for each retry, as the Job controller does; it never
      // restarts a container in place.
      refused.add("spec.restartPolicy: " + pod.getRestartPolicy() + " (only Never is translated)");
    }
    if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
      refused.add("spec.automountServiceAccountToken: not false; the runner mounts no API token");
    }
    if (pod.getTerminationGracePeriodSeconds() != null) {
      args.addAll(List.of("--stop-timeout", Long.toString(pod.getTerminationGracePeriodSeconds())));
    }
  }

  private static void security(PodSecurityContext pod, SecurityContext container, String at, List<String> args,
      List<String> refused) {
    PodSecurityContext podContext = pod == null ? new PodSecurityContext() : pod;
    SecurityContext own = container == null ? new SecurityContext() : container;
    refuseOthers("spec.securityContext", podContext, POD_SECURITY_FIELDS, refused);
    refuseOthers(at + ".securityContext", own, CONTAINER_SECURITY_FIELDS, refused);

    Long user = first(own.getRunAsUser(), podContext.getRunAsUser());
    Long group = first(own.getRunAsGroup(), podContext.getRunAsGroup());
    boolean nonRoot = Boolean.TRUE.equals(first(own.getRunAsNonRoot(), podContext.getRunAsNonRoot()));
    if (user != null) {
      args.addAll(List.of("--user", group == null ? Long.toString(user) : user + ":" + group));
    } else if (group != null) {
      refused.add(at + ".securityContext.runAsGroup without runAsUser (the image's user is not read here)");
    }
    if (nonRoot && (user == null || user == 0)) {
      // The kubelet checks the image's USER when runAsUser is unset; this runner does not read it.
      refused.add(at + ".securityContext.runAsNonRoot: needs a non-zero runAsUser here, was " + user);
    }
    if (podContext.getFsGroup() != null) {
      // The kubelet adds fsGroup to the container's groups (and owns volumes by it: the tmpfs
      // volumes here are new and world-writable).
      args.addAll(List.of("--group-add", Long.toString(podContext.getFsGroup())));
    }
    if (podContext.getSupplementalGroups() != null) {
      for (Long supplemental : podContext.getSupplementalGroups()) {
        args.addAll(List.of("--group-add", Long.toString(supplemental)));
      }
    }
    SeccompProfile seccomp = first(own.getSeccompProfile(), podContext.getSeccompProfile());
    if (seccomp != null && !"RuntimeDefault".equals(seccomp.getType())) {
      refused.add(at + ".securityContext.seccompProfile: " + seccomp.getType()
          + " (only RuntimeDefault, podman's default profile, is translated)");
    }
    if (Boolean.FALSE.equals(own.getAllowPrivilegeEscalation())) {
      args.addAll(List.of("--security-opt", "no-new-privileges"));
    }
    if (Boolean.TRUE.equals(own.getReadOnlyRootFilesystem())) {
      // Without --read-only-tmpfs=false podman mounts writable /tmp, /var/tmp and /run of its
      // own; in a pod only the volumes are writable.
      args.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
    }
    if (Boolean.TRUE.equals(own.getPrivileged())) {
      refused.add(at + ".securityContext.privileged: true");
    }
    Capabilities capabilities = own.getCapabilities();
    if (capabilities != null) {
      for (String drop : nonNull(capabilities.getDrop())) {
        args.addAll(List.of("--cap-drop", drop));
      }
      for (String add : nonNull(capabilities.getAdd())) {
        args.addAll(List.of("--cap-add", add));
      }
    }
  }

  /** Limits are cgroup limits; a CPU request is the cgroup's CPU weight, as the kubelet sets it. */
  private static void resources(Container container, String at, List<String> args) {
    if (container.getResources() == null) {
      return;
    }
    Map<String, Quantity> limits = container.getResources().getLimits();
    Map<String, Quantity> requests = container.getResources().getRequests();
    if (limits != null && limits.get("memory") != null) {
      args.addAll(List.of("--memory", bytes(limits.get("memory")).toPlainString()));
    }
    if (limits != null && limits.get("cpu") != null) {
      args.addAll(List.of("--cpus", Quantity.getAmountInBytes(limits.get("cpu")).stripTrailingZeros().toPlainString()));
    }
    if (requests != null && requests.get("cpu") != null) {
      long milli = Quantity.getAmountInBytes(requests.get("cpu")).movePointRight(3).setScale(0, RoundingMode.CEILING)
          .longValueExact();
      args.addAll(List.of("--cpu-shares", Long.toString(Math.max(2, milli * 1024 / 1000))));
    }
    // A memory request only places the pod on a node and orders evictions: no cgroup setting.
  }

  private static void resourcesRefused(Container container, String at, List<String> refused) {
    if (container.getResources() == null) {
      return;
    }
    for (Map.Entry<String, Map<String, Quantity>> kind : Map.of(
        "limits", nonNull(container.getResources().getLimits()),
        "requests", nonNull(container.getResources().getRequests())).entrySet()) {
      for (String resource : new TreeSet<>(kind.getValue().keySet())) {
        if (!RESOURCES.contains(resource)) {
          refused.add(at + ".resources." + kind.getKey() + "." + resource + " (only cpu and memory are translated)");
        }
      }
    }
    if (container.getResources().getClaims() != null && !container.getResources().getClaims().isEmpty()) {
      refused.add(at + ".resources.claims");
    }
  }

  private static void volumes(PodSpec pod, Container container, String at, List<String> args, List<String> refused) {
    List<Volume> volumes = nonNull(pod.getVolumes());
    for (Volume volume : volumes) {
      refuseOthers("spec.volumes[" + volume.getName() + "]", volume, VOLUME_FIELDS, refused);
    }
    for (VolumeMount mount : nonNull(container.getVolumeMounts())) {
      String mountAt = at + ".volumeMounts[" + mount.getName() + "]";
      refuseOthers(mountAt, mount, MOUNT_FIELDS, refused);
      Volume volume = volumes.stream().filter(v -> Objects.equals(v.getName(), mount.getName())).findFirst()
          .orElse(null);
      if (volume == null) {
        refused.add(mountAt + ": no pod volume of that name");
        continue;
      }
      EmptyDirVolumeSource emptyDir = volume.getEmptyDir();
      if (emptyDir == null) {
        continue; // refused above, by its source's field name
      }
      if (emptyDir.getMedium() != null && !emptyDir.getMedium().isEmpty() && !emptyDir.getMedium().equals("Memory")) {
        refused.add("spec.volumes[" + volume.getName() + "].emptyDir.medium: " + emptyDir.getMedium());
        continue;
      }
      // An emptyDir is a new world-writable directory; a tmpfs of sizeLimit enforces the limit
      // (the kubelet evicts instead). Its pages count against the memory limit, as a Memory
      // emptyDir's do on a node.
      StringBuilder options = new StringBuilder("rw,mode=1777");
      if (emptyDir.getSizeLimit() != null) {
        options.append(",size=").append(bytes(emptyDir.getSizeLimit()).toPlainString());
      }
      args.addAll(List.of("--tmpfs", mount.getMountPath() + ":" + options));
    }
  }

  private static void environment(Container container, Map<String, String> env, String at, List<String> args,
      List<String> refused) {
    for (EnvVar var : nonNull(container.getEnv())) {
      if (!env.containsKey(var.getName())) {
        refused.add(at + ".env[" + var.getName() + "]: not resolved by the kubelet");
      }
    }
    for (Map.Entry<String, String> var : env.entrySet()) {
      args.addAll(List.of("--env", var.getKey() + "=" + (var.getValue() == null ? "" : var.getValue())));
    }
  }

  /** Fields set on {@code object} (as the API server would store it) outside {@code translated}. */
  private static void refuseOthers(String at, Object object, Set<String> translated, List<String> refused) {
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = SERIALIZATION.convertValue(object, Map.class);
    for (Map.Entry<String, Object> field : new java.util.TreeMap<>(fields).entrySet()) {
      if (!translated.contains(field.getKey()) && !unset(field.getValue())) {
        refused.add(at + "." + field.getKey() + " (not translated by the container runner)");
      }
    }
  }

  private static boolean unset(Object value) {
    return value == null || value instanceof Collection<?> c && c.isEmpty() || value instanceof Map<?, ?> m && m.isEmpty();
  }

  private static BigDecimal bytes(Quantity quantity) {
    return Quantity.getAmountInBytes(quantity).setScale(0, RoundingMode.CEILING);
  }

  private static String json(List<String> command) {
    try {
      return JSON.writeValueAsString(command);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T first(T preferred, T fallback) {
    return preferred != null ? preferred : fallback;
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static <K, V> Map<K, V> nonNull(Map<K, V> map) {
    return map == null ? Map.of() : map;
  }
}
