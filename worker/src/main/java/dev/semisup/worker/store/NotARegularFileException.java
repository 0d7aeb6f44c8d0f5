package dev.semisup.worker.store;

import java.io.FileNotFoundException;

/**
 * A file URI that names a FIFO, a device or a socket. Data is read from regular files only: opening
 * a FIFO blocks until something writes to it, and a device may never end.
 */
public final class NotARegularFileException extends FileNotFoundException {

  public NotARegularFileException(String message) {
    super(message);
  }
}
