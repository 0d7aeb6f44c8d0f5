package dev.semisup.worker.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * What every subcommand is given rather than reads from the process: the environment (tests and
 * the in-process kubelet pass their own) and the terminal's two streams. Mixed into each command
 * with picocli's {@code @Mixin}, one instance for the whole command line. It adds no options; the
 * empty {@code @Command} is what makes picocli take it as a mixin.
 */
@Command
final class CommandEnvironment {

  final Map<String, String> env;
  final PrintWriter out;
  final PrintWriter err;

  CommandEnvironment(Map<String, String> env, PrintWriter out, PrintWriter err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  /** Sets PyTorch's thread count from the environment; called before a command loads the engine. */
  void configureThreads() {
    Threads.configure(env);
  }
}
