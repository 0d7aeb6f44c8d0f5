package dev.semisup.operator.observer;

/**
 * Why the object store could not answer, as a type: the decision branches on it (a missing
 * Secret holds a step back; an unreachable endpoint does not), and {@link #word()} is the
 * StorageReachable condition's reason.
 */
public enum StoreFault {
  SECRET_NOT_FOUND("SecretNotFound", true),
  SECRET_INCOMPLETE("SecretIncomplete", true),
  SECRET_UNREADABLE("SecretUnreadable", true),
  BUCKET_NOT_FOUND("BucketNotFound", false),
  CREDENTIALS_REJECTED("CredentialsRejected", false),
  CONNECTION_FAILED("ConnectionFailed", false),
  STORAGE_ERROR("StorageError", false);

  private final String word;
  private final boolean credentials;

  StoreFault(String word, boolean credentials) {
    this.word = word;
    this.credentials = credentials;
  }

  public String word() {
    return word;
  }

  /**
   * The credentials Secret itself is missing or unusable. A pod whose secretKeyRef names a missing
   * Secret never starts (CreateContainerConfigError) and its Job neither fails nor succeeds, so no
   * Job is made until it is there.
   */
  public boolean blocksJobs() {
    return credentials;
  }
}
