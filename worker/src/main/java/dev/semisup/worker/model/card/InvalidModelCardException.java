package dev.semisup.worker.model.card;

import dev.semisup.api.UserFixableError;
import java.io.IOException;

/** A model card that cannot be used: not JSON, another format, or a required field missing. */
public final class InvalidModelCardException extends IOException implements UserFixableError {

  public InvalidModelCardException(String message) {
    super(message);
  }

  public InvalidModelCardException(String message, Throwable cause) {
    super(message, cause);
  }
}
