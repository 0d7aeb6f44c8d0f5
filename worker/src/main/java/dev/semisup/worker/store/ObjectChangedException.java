package dev.semisup.worker.store;

import dev.semisup.api.UserFixableError;
import java.io.IOException;

/**
 * An object whose size differs from the one its listing gave: it was replaced after the run listed
 * it, so the images and ordinals the run has already counted on no longer hold. Reading it again
 * would fail the same way, so it is the user's to fix (exit 2), not the store's to retry.
 */
public final class ObjectChangedException extends IOException implements UserFixableError {

  public ObjectChangedException(String uri, long listedBytes, String found) {
    super(uri + ": " + found + " than the " + listedBytes + " bytes listed for it: it changed after the run listed"
        + " the pool (the run's pool/manifest.tsv); put the object back as it was, or start a new run on the"
        + " changed pool");
  }
}
