package dev.semisup.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One container of a pod as the test kubelet starts it: the pod's name, the Job's pod template
 * narrowed to that one container (the kubelet starts a pod's init containers one at a time, in
 * order, then its container; each sees the pod's own fields: volumes, securityContext, host name),
 * and what the kubelet resolved for it (the container's environment with secretKeyRefs read and
 * JOB_COMPLETION_INDEX set; the host file it reads the container's termination message from when
 * it fails; the host names that cluster DNS gives the pods of its subdomain, all of them on this
 * machine).
 *
 * @param initContainer whether the container is one of the template's init containers
 */
public record JobPod(String name, String namespace, PodSpec spec, Map<String, String> env, Path terminationLog,
    List<String> clusterHosts, boolean initContainer) {

  /** The environment variable that points an in-process worker at its termination log. */
  public static final String TERMINATION_LOG_ENV = "SEMISUP_TERMINATION_LOG";

  public JobPod {
    env = Map.copyOf(env);
    clusterHosts = List.copyOf(clusterHosts);
  }

  /** The container of a pod in no subdomain and without init containers. */
  public JobPod(String name, String namespace, PodSpec spec, Map<String, String> env, Path terminationLog) {
    this(name, namespace, spec, env, terminationLog, List.of(), false);
  }

  /** The container this run starts (the pod spec holds exactly this one). */
  public Container container() {
    if (spec.getContainers().size() != 1) {
      throw new IllegalStateException("pod " + name + " has " + spec.getContainers().size()
          + " containers; the test kubelet starts one at a time");
    }
    return spec.getContainers().get(0);
  }

  /** The container's command and arguments after the executable: what a main method in this JVM gets. */
  public String[] inProcessArgs() {
    Container container = container();
    List<String> argv = new ArrayList<>(container.getCommand());
    argv.remove(0);
    if (container.getArgs() != null) {
      argv.addAll(container.getArgs());
    }
    return argv.toArray(String[]::new);
  }

  /** The pod's environment, plus where an in-process worker writes its termination message. */
  public Map<String, String> inProcessEnv() {
    Map<String, String> withLog = new LinkedHashMap<>(env);
    withLog.put(TERMINATION_LOG_ENV, terminationLog.toString());
    return withLog;
  }
}
