package dev.semisup.worker.cli;

import dev.semisup.api.UserFixableError;

/**
 * A command's failure with what it was doing: "run 'x' failed: ..." for a machine's or a program's
 * error, the error's own message (which names the field or file) for one the user fixes. Its exit
 * code is its cause's ({@link ExitCodes}).
 */
final class CommandFailure extends Exception {

  private CommandFailure(String message, Exception cause) {
    super(message, cause);
  }

  /** {@code doing} ("run 'x'", "predict") leads an error that is not the user's to fix. */
  static CommandFailure of(String doing, Exception cause) {
    return new CommandFailure(cause instanceof UserFixableError ? cause.getMessage()
        : doing + " failed: " + FailureMessages.describe(cause), cause);
  }

  /** As {@link #of}, and a user's error is led by {@code subject} too ("teacher: ..."). */
  static CommandFailure naming(String subject, Exception cause) {
    return new CommandFailure(cause instanceof UserFixableError ? subject + ": " + cause.getMessage()
        : subject + " failed: " + FailureMessages.describe(cause), cause);
  }

  /** The command's exit code for it: 2 when the user can fix its cause, else 1. */
  int exitCode() {
    return ExitCodes.of(this);
  }
}
