package dev.semisup.operator.observer;

/**
 * The object store could not answer: endpoint down, bucket missing, credentials Secret missing or
 * rejected. {@code reason} is a CamelCase word for the StorageReachable condition.
 */
public class StorageUnreachableException extends Exception {

  private final String reason;

  public StorageUnreachableException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
