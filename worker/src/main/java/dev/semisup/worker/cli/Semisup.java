package dev.semisup.worker.cli;

import dev.semisup.api.WorkerContract;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The semisup command: {@code semisup run FILE.yaml} runs a whole plan on this machine;
 * {@code semisup experiment GRID.yaml} runs a grid of them (axes x variants x seeds), resumably;
 * {@code semisup report RUN} rebuilds a run's report.html;
 * {@code semisup stage STEP} runs one step as a worker pod does; {@code semisup predict --model URI INPUT...}
 * classifies images with a trained model. Exit codes: 0 done, 2 bad input
 * (the message names the field or file), 1 any other failure.
 */
@Command(name = "semisup", mixinStandardHelpOptions = true, version = "semisup 0.1.0",
    description = "Billion-scale semi-supervised image classification (Yalniz et al., 2019).",
    subcommands = CommandLine.HelpCommand.class)
public final class Semisup implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args, System.getenv()));
  }

  /** Runs the command with the given environment (tests and the in-process kubelet pass their own). */
  public static int execute(String[] args, Map<String, String> env) {
    return execute(args, env, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
  }

  public static int execute(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    return commandLine(env, out, err).execute(args);
  }

  /** The command line with every subcommand, and the one mapping of their exceptions to exit codes. */
  static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandEnvironment environment = new CommandEnvironment(env, out, err);
    CommandLine commandLine = new CommandLine(new Semisup());
    commandLine.addSubcommand("run", new RunCommand(environment));
    commandLine.addSubcommand("experiment", new ExperimentCommand(environment));
    commandLine.addSubcommand("predict", new PredictCommand(environment));
    commandLine.addSubcommand("report", new ReportCommand(environment));
    commandLine.addSubcommand(WorkerContract.STAGE_SUBCOMMAND, new StageCommand(environment));
    commandLine.setOut(out);
    commandLine.setErr(err);
    ExitCodes exitCodes = new ExitCodes(env, err);
    commandLine.setExitCodeExceptionMapper(exitCodes);
    commandLine.setExecutionExceptionHandler(exitCodes);
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
