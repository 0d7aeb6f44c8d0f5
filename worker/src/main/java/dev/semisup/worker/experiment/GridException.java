package dev.semisup.worker.experiment;

import dev.semisup.api.UserFixableError;

/** A grid file that cannot be used: the message names the file and the field (exit code 2). */
public final class GridException extends Exception implements UserFixableError {

  public GridException(String file, String field, String problem) {
    super(file + ": " + field + ": " + problem);
  }

  public GridException(String message) {
    super(message);
  }
}
