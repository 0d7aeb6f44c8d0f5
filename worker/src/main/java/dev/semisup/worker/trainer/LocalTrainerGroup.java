package dev.semisup.worker.trainer;

import dev.semisup.api.WorkerContract;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The torch-ddp engine in local mode: this machine plays every pod of the group. It starts
 * {@code nodes x max(1, gpusPerNode)} processes of {@code python3 -m semisup_trainer <step-id>},
 * each with the per-process torchrun environment (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR
 * 127.0.0.1, a free MASTER_PORT) and the worker's own (spec, run name, store). The ranks are
 * started directly rather than through torchrun: Debian's torchrun 1.13 crashes on Python 3.11.
 * A rank that fails stops the whole group, as one failed pod fails a torch-ddp Job, and its exit
 * code is the group's (2, bad input, is then not worth retrying).
 */
public final class LocalTrainerGroup {

  /** The trainer's Python package, run with {@code -m}. */
  public static final String MODULE = "semisup_trainer";
  /** Debian's Python, where python3-torch installs PyTorch (the python3 first on PATH may lack it). */
  public static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");
  /** The local folder of the run's store (the worker's --store folder for the run's bucket). */
  public static final String ENV_STORE_DIR = "SEMISUP_STORE_DIR";

  static final String INSTALL_HINT = "the torch-ddp engine needs Python 3 with PyTorch (on Debian or Ubuntu:"
      + " apt-get install python3-torch; elsewhere: pip install torch, and name that python)";

  private static final long STOP_GRACE_SECONDS = 10;
  private static final long PREFLIGHT_SECONDS = 120;

  /**
   * How many processes the group has: {@code gpusPerNode} ranks on each of {@code nodes} nodes, one
   * on a CPU-only node ({@code gpusPerNode} 0).
   */
  public record Size(int nodes, int gpusPerNode) {

    public Size {
      if (nodes < 1 || gpusPerNode < 0) {
        throw new IllegalArgumentException("nodes must be at least 1 and gpusPerNode at least 0, were " + nodes + " and "
            + gpusPerNode);
      }
    }

    public int processesPerNode() {
      return Math.max(1, gpusPerNode);
    }

    public int processes() {
      return nodes * processesPerNode();
    }
  }

  private final Path python;
  private final Path trainerRoot;
  private final Path logs;
  private final PrintWriter err;

  /**
   * @param python      the Python to run (usually {@link #DEBIAN_PYTHON})
   * @param trainerRoot the folder holding the {@value #MODULE} package (the repository's trainer/)
   * @param logs        where ranks other than 0 write their output (rank-N.log); rank 0 writes to this
   *                    process's own output
   * @param err         where a missing Python, PyTorch or trainer is explained
   */
  public LocalTrainerGroup(Path python, Path trainerRoot, Path logs, PrintWriter err) {
    this.python = python;
    this.trainerRoot = trainerRoot;
    this.logs = logs;
    this.err = err;
  }

  /**
   * Runs one training step with the group and waits for it.
   *
   * @param env the worker's environment for the trainer (spec file, run name, store folder, ...);
   *            the rank variables are set here
   * @return 0 when every rank exited 0; otherwise the first failing rank's exit code, after the others
   *     were stopped; {@link WorkerContract#EXIT_BAD_INPUT} when Python, PyTorch or the trainer is missing
   */
  public int run(String stepId, Size size, Map<String, String> env) throws IOException, InterruptedException {
    String missing = missingRequirement();
    if (missing != null) {
      err.println("semisup: " + stepId + ": " + missing);
      return WorkerContract.EXIT_BAD_INPUT;
    }
    Files.createDirectories(logs);
    int port = freePort();
    List<Process> ranks = new ArrayList<>();
    try {
      for (int rank = 0; rank < size.processes(); rank++) {
        ranks.add(start(stepId, rank, size, port, env));
      }
      return await(ranks);
    } finally {
      stop(ranks);
    }
  }

  /** Why the trainer cannot start here, or null when Python, PyTorch and the trainer are all there. */
  private String missingRequirement() throws IOException, InterruptedException {
    if (!Files.isExecutable(python)) {
      return python + " does not exist or cannot be run: " + INSTALL_HINT;
    }
    Process probe = new ProcessBuilder(python.toString(), "-c", "import torch.distributed")
        .redirectErrorStream(true).start();
    probe.getOutputStream().close();
    byte[] output = probe.getInputStream().readAllBytes();
    if (!probe.waitFor(PREFLIGHT_SECONDS, TimeUnit.SECONDS)) {
      probe.destroyForcibly();
      return python + " did not import torch within " + PREFLIGHT_SECONDS + " s";
    }
    if (probe.exitValue() != 0) {
      return python + " cannot import torch.distributed (" + lastLine(new String(output, StandardCharsets.UTF_8))
          + "): " + INSTALL_HINT;
    }
    Path module = trainerRoot.resolve(MODULE);
    if (!Files.isRegularFile(module.resolve("__main__.py"))) {
      return "no trainer at " + module + " (its __main__.py is missing): PYTHONPATH must hold the " + MODULE
          + " package, the repository's trainer/ folder";
    }
    return null;
  }

  private Process start(String stepId, int rank, Size size, int port, Map<String, String> env) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(python.toString(), "-m", MODULE, stepId);
    Map<String, String> environment = builder.environment();
    environment.putAll(env);
    environment.putAll(rankEnvironment(rank, size, port));
    String inherited = environment.get("PYTHONPATH");
    environment.put("PYTHONPATH", trainerRoot.toAbsolutePath()
        + (inherited == null || inherited.isBlank() ? "" : java.io.File.pathSeparator + inherited));
    if (rank == 0) {
      builder.inheritIO();
    } else {
      builder.redirectErrorStream(true).redirectOutput(logs.resolve("rank-" + rank + ".log").toFile());
    }
    Process process = builder.start();
    process.getOutputStream().close();
    return process;
  }

  /** What torchrun gives each process it starts, on a group whose nodes all run on 127.0.0.1. */
  static Map<String, String> rankEnvironment(int rank, Size size, int port) {
    Map<String, String> env = new HashMap<>();
    int perNode = size.processesPerNode();
    env.put("RANK", Integer.toString(rank));
    env.put("LOCAL_RANK", Integer.toString(rank % perNode));
    env.put("WORLD_SIZE", Integer.toString(size.processes()));
    env.put("LOCAL_WORLD_SIZE", Integer.toString(perNode));
    env.put("GROUP_RANK", Integer.toString(rank / perNode));
    env.put("NODE_RANK", Integer.toString(rank / perNode));
    env.put("NNODES", Integer.toString(size.nodes()));
    env.put("NPROC_PER_NODE", Integer.toString(perNode));
    env.put("MASTER_ADDR", "127.0.0.1");
    env.put("MASTER_PORT", Integer.toString(port));
    return env;
  }

  /** Waits until every rank exited 0, or one did not: its exit code. */
  private static int await(List<Process> ranks) throws InterruptedException {
    List<Process> running = new ArrayList<>(ranks);
    while (!running.isEmpty()) {
      CompletableFuture<?>[] exits = running.stream().map(Process::onExit).toArray(CompletableFuture[]::new);
      try {
        CompletableFuture.anyOf(exits).get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("waiting for a trainer rank failed", e);
      }
      for (Process process : List.copyOf(running)) {
        if (!process.isAlive()) {
          running.remove(process);
          if (process.exitValue() != 0) {
            return process.exitValue();
          }
        }
      }
    }
    return WorkerContract.EXIT_OK;
  }

  /** Stops every rank still running, and what it started: politely, then after a grace period for good. */
  private static void stop(List<Process> ranks) throws InterruptedException {
    List<ProcessHandle> handles = new ArrayList<>();
    for (Process process : ranks) {
      process.descendants().forEach(handles::add);
      handles.add(process.toHandle());
    }
    handles.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS);
    for (ProcessHandle handle : handles) {
      long left = deadline - System.nanoTime();
      try {
        handle.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        handle.destroyForcibly();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String lastLine(String output) {
    String trimmed = output.strip();
    int newline = trimmed.lastIndexOf('\n');
    return newline < 0 ? trimmed : trimmed.substring(newline + 1);
  }
}
