package dev.semisup.worker.report;

import dev.semisup.api.UserFixableError;
import java.io.IOException;

/**
 * A record a run left in its store that contradicts itself (a summary.json declaring more classes
 * than it describes): the run's folder was edited or damaged, which the user fixes (exit 2).
 */
public final class InvalidRunRecordException extends IOException implements UserFixableError {

  public InvalidRunRecordException(String message) {
    super(message);
  }
}
