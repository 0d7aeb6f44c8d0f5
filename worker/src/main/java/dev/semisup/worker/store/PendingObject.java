package dev.semisup.worker.store;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The bytes of an object still being written. {@link #close()} publishes them as the object;
 * {@link #discard()} drops them, leaving the key as it was. Until one of the two, nobody sees them.
 *
 * <p>Both exist because try-with-resources calls {@code close()} even when the body threw, and
 * an object cut short by an exception must not be published: {@link ObjectStore#write} discards
 * on failure and closes on success.
 */
public abstract class PendingObject extends OutputStream {

  /** Drops what was written; the object stays as it was. Idempotent; a later close() is a no-op. */
  public abstract void discard() throws IOException;
}
