package dev.semisup.operator.observer;

/**
 * Store error text fit for a run's status: what another program said (an S3 error body, an
 * exception message naming hosts and paths) is reduced to a short code-like word, because the
 * status is readable by everyone who can read the run.
 */
final class ErrorText {

  private static final int MAX = 60;

  private ErrorText() {
  }

  /** An S3 error code such as SlowDown or InternalError; anything else becomes "an error". */
  static String code(String code) {
    return code != null && code.matches("[A-Za-z][A-Za-z0-9.]{0," + MAX + "}") ? code : "an error";
  }

  /** The exception's kind (ConnectException, SocketTimeoutException), never its message. */
  static String of(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String kind = root.getClass().getSimpleName();
    return root == e ? kind : e.getClass().getSimpleName() + " (" + kind + ")";
  }
}
