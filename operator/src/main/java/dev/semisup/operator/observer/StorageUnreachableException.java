package dev.semisup.operator.observer;

/**
 * The object store could not answer: endpoint down, bucket missing, credentials Secret missing or
 * rejected. The message is the operator's own words (field names, endpoint), never the store's
 * error body, so it can go into the status as it is.
 */
public class StorageUnreachableException extends Exception {

  private final StoreFault fault;

  public StorageUnreachableException(StoreFault fault, String message, Throwable cause) {
    super(message, cause);
    this.fault = fault;
  }

  public StoreFault fault() {
    return fault;
  }

  /** The condition reason, e.g. SecretNotFound. */
  public String reason() {
    return fault.word();
  }
}
