package dev.semisup.worker.data;

import dev.semisup.api.UserFixableError;
import java.io.IOException;

/**
 * The data itself is wrong: a truncated or empty file, a bad header, a label out of range, a class
 * folder the labeled set does not have, an undecodable or oversized image in a labeled or
 * validation set. The user fixes the data or the spec, so the command exits 2 (bad input). A read
 * the store or the network cut short is not this: it stays a plain IOException (exit 1), since the
 * same bytes may read fine the next time.
 */
public final class BadDataException extends IOException implements UserFixableError {

  public BadDataException(String message) {
    super(message);
  }

  public BadDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
