package dev.semisup.e2e;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;

/** Runs one pod of a Job: the pod in, its exit code out. */
@FunctionalInterface
public interface PodRunner {

  int run(JobPod pod, PrintWriter out, PrintWriter err);

  /**
   * Ends the pod's container while {@link #run} runs it, as the kubelet ends a deleted pod's: SIGTERM,
   * then SIGKILL once {@code grace} has passed; {@link #run} then returns the container's exit code.
   * A main method in this JVM gets no signals: the thread that runs it is interrupted, and one that
   * does not end within {@code grace} is left to the kubelet, which records the SIGKILL's 137.
   *
   * @param runningOn the thread that called {@link #run} for this pod
   */
  default void stop(JobPod pod, Thread runningOn, Duration grace) {
    runningOn.interrupt();
  }

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
