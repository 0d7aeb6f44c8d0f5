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
    CommandLine commandLine = new CommandLine(new Semisup());
    commandLine.addSubcommand("run", new RunCommand(env, out, err));
    commandLine.addSubcommand("experiment", new ExperimentCommand(env, out, err));
    commandLine.addSubcommand("predict", new PredictCommand(env, out, err));
    commandLine.addSubcommand("report", new ReportCommand(env, out, err));
    commandLine.addSubcommand(WorkerContract.STAGE_SUBCOMMAND, new StageCommand(env, out, err));
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
      err.println("semisup: " + e.getMessage());
      return WorkerContract.EXIT_FAILURE;
    });
    return commandLine.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
