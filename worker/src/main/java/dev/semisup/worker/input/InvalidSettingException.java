package dev.semisup.worker.input;

import dev.semisup.api.UserFixableError;

/**
 * A setting the user can fix (a URI the store cannot read, credentials missing from the
 * environment, a spec value the data contradicts), found where a checked exception cannot be
 * thrown. The commands exit 2 for it; any other IllegalArgumentException is a programming error
 * and exits 1.
 */
public final class InvalidSettingException extends IllegalArgumentException implements UserFixableError {

  public InvalidSettingException(String message) {
    super(message);
  }

  public InvalidSettingException(String message, Throwable cause) {
    super(message, cause);
  }
}
