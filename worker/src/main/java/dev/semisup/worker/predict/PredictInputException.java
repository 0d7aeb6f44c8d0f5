package dev.semisup.worker.predict;

import dev.semisup.api.UserFixableError;
import java.io.IOException;

/** An input of {@code semisup predict} that cannot be read as images: missing, or of no known kind. */
public final class PredictInputException extends IOException implements UserFixableError {

  public PredictInputException(String message) {
    super(message);
  }

  public PredictInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
