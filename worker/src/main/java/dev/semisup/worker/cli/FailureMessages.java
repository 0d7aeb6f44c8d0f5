package dev.semisup.worker.cli;

import java.io.IOException;

/** How a failure that is not bad input (exit 1) reads on the terminal and in the pod's status. */
final class FailureMessages {

  private FailureMessages() {
  }

  /**
   * An I/O failure's own message, which names the file or object and says what went wrong,
   * without the Java type in front ("java.io.IOException: ..."); a program error keeps its type,
   * which is what a bug report needs.
   */
  static String describe(Exception e) {
    if (e instanceof IOException && e.getMessage() != null && !e.getMessage().isBlank()) {
      return e.getMessage();
    }
    return e.toString();
  }
}
