package dev.semisup.e2e;

import java.io.PrintWriter;
import java.util.Map;

/** Runs one pod of a Job: the pod in, its exit code out. */
@FunctionalInterface
public interface PodRunner {

  int run(JobPod pod, PrintWriter out, PrintWriter err);

  /** A command's main method, called in this JVM. */
  @FunctionalInterface
  interface Main {
    int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err);
  }

  /**
   * Runs each pod's container in this JVM: {@code main} gets the container's arguments after the
   * executable and the pod's environment; the securityContext, volumes and limits go unused.
   */
  static PodRunner inProcess(Main main) {
    return (pod, out, err) -> main.run(pod.inProcessArgs(), pod.inProcessEnv(), out, err);
  }
}
