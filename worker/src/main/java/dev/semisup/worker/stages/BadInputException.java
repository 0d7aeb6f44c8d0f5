package dev.semisup.worker.stages;

import dev.semisup.api.UserFixableError;
import java.io.IOException;

/** A failure the user can fix (a missing data file, a wrong checkpoint): exit code 2, not 1. */
public class BadInputException extends IOException implements UserFixableError {

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
