package dev.semisup.worker.model.card;

import java.io.IOException;

/** A model card that cannot be used: not JSON, another format, or a required field missing. */
public final class InvalidModelCardException extends IOException {

  public InvalidModelCardException(String message) {
    super(message);
  }

  public InvalidModelCardException(String message, Throwable cause) {
    super(message, cause);
  }
}
