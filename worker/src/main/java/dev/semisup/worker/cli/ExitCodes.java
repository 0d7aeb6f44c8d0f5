package dev.semisup.worker.cli;

import dev.semisup.api.UserFixableError;
import dev.semisup.api.WorkerContract;
import dev.semisup.worker.experiment.Pipeline;
import dev.semisup.worker.input.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * The one place a command's exception becomes its exit code and its last line: 2 for an error the
 * user fixes ({@link UserFixableError}), 1 for any other. Set on the command line where it is built,
 * so every subcommand just throws.
 */
final class ExitCodes implements CommandLine.IExitCodeExceptionMapper, CommandLine.IExecutionExceptionHandler {

  /** Where a pod's container leaves its last message, which Kubernetes copies into the pod's status. */
  static final String ENV_TERMINATION_LOG = "SEMISUP_TERMINATION_LOG";
  private static final int TERMINATION_LOG_CHARS = 4000;

  private final Map<String, String> env;
  private final PrintWriter err;

  ExitCodes(Map<String, String> env, PrintWriter err) {
    this.env = env;
    this.err = err;
  }

  static int of(Throwable failure) {
    if (failure instanceof CommandFailure wrapped) {
      return of(wrapped.getCause());
    }
    if (failure instanceof Pipeline.RunFailedException run) {
      return run.exitCode();
    }
    // A mistyped flag or argument (picocli's usage error) is the user's to fix like any other.
    boolean usersToFix = failure instanceof UserFixableError || failure instanceof CommandLine.ParameterException;
    return usersToFix ? WorkerContract.EXIT_BAD_INPUT : WorkerContract.EXIT_FAILURE;
  }

  @Override
  public int getExitCode(Throwable exception) {
    return of(exception);
  }

  @Override
  public int handleExecutionException(Exception exception, CommandLine commandLine, CommandLine.ParseResult parsed) {
    // A command's own failure says what it was doing; a user's error names what to fix.
    boolean explained = exception instanceof CommandFailure || exception instanceof Pipeline.RunFailedException
        || exception instanceof UserFixableError;
    String raw = explained ? exception.getMessage() : FailureMessages.describe(exception);
    // Messages carry names from the data (tar members, labels, URIs): shown, never sent to the terminal.
    String message = Printable.message(raw);
    err.println("semisup: " + message);
    err.flush();
    leaveInTerminationLog(message);
    return of(exception);
  }

  /** Where a pod's status shows it; nothing is written where no such file may be written. */
  private void leaveInTerminationLog(String message) {
    Path log = Path.of(env.getOrDefault(ENV_TERMINATION_LOG, WorkerContract.TERMINATION_LOG));
    if (Files.isWritable(log)) {
      try {
        Files.writeString(log, message.length() > TERMINATION_LOG_CHARS ? message.substring(0, TERMINATION_LOG_CHARS)
            : message, StandardCharsets.UTF_8);
      } catch (IOException ignored) {
        // The message is on stderr too; the termination log is a convenience.
      }
    }
  }
}
