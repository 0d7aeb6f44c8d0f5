package dev.semisup.worker.predict;

import dev.semisup.api.UserFixableError;
import java.io.IOException;

/** {@code --model} names nothing predict can use; the message says what was looked for where. */
public final class ModelNotFoundException extends IOException implements UserFixableError {

  public ModelNotFoundException(String message) {
    super(message);
  }
}
