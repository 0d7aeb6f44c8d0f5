package dev.semisup.e2e;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real worker (in this JVM or in containers), with faults a test asks for: a step's pod fails a number of times with a given
 * message (as the worker would, through the termination log), or waits at a gate until released
 * (or stopped by the kubelet: it exits 143, as a JVM that SIGTERM ends). The faults and gates are
 * the pod's container's: its init containers run unchanged.
 */
public final class ScriptedWorker implements PodRunner {

  private final PodRunner worker;
  private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  private final Map<String, String> failureMessages = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> arrived = new ConcurrentHashMap<>();
  /** The pods waiting at a gate now, by name: their container has not started. */
  private final Set<String> atGate = ConcurrentHashMap.newKeySet();

  public ScriptedWorker(PodRunner worker) {
    this.worker = worker;
  }

  /** The next {@code times} pods of the run's step fail with {@code message}. */
  public void fail(String run, String step, int times, String message) {
    failuresLeft.put(run + "/" + step, new AtomicInteger(times));
    failureMessages.put(run + "/" + step, message);
  }

  /** Pods of the run's step wait until {@link #release}; returns a latch that opens when one arrives. */
  public CountDownLatch hold(String run, String step) {
    gates.put(run + "/" + step, new CountDownLatch(1));
    CountDownLatch arrival = new CountDownLatch(1);
    arrived.put(run + "/" + step, arrival);
    return arrival;
  }

  public void release(String run, String step) {
    CountDownLatch gate = gates.remove(run + "/" + step);
    if (gate != null) {
      gate.countDown();
    }
  }

  @Override
  public int run(JobPod pod, PrintWriter out, PrintWriter err) {
    if (pod.initContainer()) {
      // Faults and holds are the step's own container's; a pod's init containers run as they are.
      return worker.run(pod, out, err);
    }
    String[] args = pod.inProcessArgs();
    String key = pod.env().get("SEMISUP_RUN_NAME") + "/" + args[args.length - 1];
    CountDownLatch arrival = arrived.get(key);
    if (arrival != null) {
      arrival.countDown();
    }
    CountDownLatch gate = gates.get(key);
    if (gate != null) {
      atGate.add(pod.name());
      try {
        if (!gate.await(2, TimeUnit.MINUTES)) {
          return 1;
        }
      } catch (InterruptedException e) {
        // Stopped by the kubelet: the exit code of a JVM that SIGTERM ends.
        return 143;
      } finally {
        atGate.remove(pod.name());
      }
    }
    AtomicInteger left = failuresLeft.get(key);
    if (left != null && left.getAndDecrement() > 0) {
      String message = failureMessages.get(key);
      err.println("semisup: " + message);
      try {
        java.nio.file.Files.writeString(pod.terminationLog(), message);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return 1;
    }
    return worker.run(pod, out, err);
  }

  /** A pod held at its gate is stopped where it waits; else its container is the worker's to stop. */
  @Override
  public void stop(JobPod pod, Thread runningOn, Duration grace) {
    if (atGate.contains(pod.name())) {
      runningOn.interrupt();
    } else {
      worker.stop(pod, runningOn, grace);
    }
  }
}
