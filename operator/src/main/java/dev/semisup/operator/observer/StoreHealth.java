package dev.semisup.operator.observer;

import java.util.Optional;

/**
 * The last answer the object store gave during one reconcile, observer and actors alike; the
 * status projection turns it into the StorageReachable condition. Unset when nothing was asked.
 */
public final class StoreHealth {

  private Boolean reachable;
  private StorageUnreachableException fault;

  public void reachable() {
    reachable = true;
    fault = null;
  }

  public void unreachable(StorageUnreachableException e) {
    reachable = false;
    fault = e;
  }

  public Optional<Boolean> known() {
    return Optional.ofNullable(reachable);
  }

  public Optional<StorageUnreachableException> fault() {
    return Optional.ofNullable(fault);
  }
}
