package dev.semisup.worker.experiment;

/** A grid file that cannot be used: the message names the file and the field (exit code 2). */
public final class GridException extends Exception {

  public GridException(String file, String field, String problem) {
    super(file + ": " + field + ": " + problem);
  }

  public GridException(String message) {
    super(message);
  }
}
