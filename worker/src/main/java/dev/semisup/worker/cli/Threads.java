package dev.semisup.worker.cli;

import java.util.Map;

/**
 * PyTorch's thread count must match the CPUs the pod may use (the operator passes its CPU limit);
 * more threads than cores thrash. Set before the engine loads.
 */
final class Threads {

  static final String ENV_THREADS = "SEMISUP_THREADS";

  private Threads() {
  }

  static void configure(Map<String, String> env) {
    String threads = env.getOrDefault(ENV_THREADS, env.get("OMP_NUM_THREADS"));
    if (threads == null || !threads.matches("\\d+")) {
      threads = Integer.toString(Runtime.getRuntime().availableProcessors());
    }
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", threads);
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
  }
}
