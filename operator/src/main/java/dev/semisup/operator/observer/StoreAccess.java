package dev.semisup.operator.observer;

import java.util.Optional;

/**
 * The object store as the observer found it: a reader when the credentials Secret could be used,
 * else the fault that stopped it. {@link #notAsked()} when the reconcile had no reason to ask.
 */
public record StoreAccess(ArtifactReader reader, StoreFault fault, String message) {

  public static StoreAccess notAsked() {
    return new StoreAccess(null, null, null);
  }

  public static StoreAccess open(ArtifactReader reader) {
    return new StoreAccess(reader, null, null);
  }

  public static StoreAccess failed(StorageUnreachableException e) {
    return new StoreAccess(null, e.fault(), e.getMessage());
  }

  public Optional<ArtifactReader> readerIfOpen() {
    return Optional.ofNullable(reader);
  }

  /** The credentials Secret is missing or unusable: no Job may start (see {@link StoreFault#blocksJobs()}). */
  public boolean credentialsMissing() {
    return fault != null && fault.blocksJobs();
  }
}
