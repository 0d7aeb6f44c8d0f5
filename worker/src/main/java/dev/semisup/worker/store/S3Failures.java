package dev.semisup.worker.store;

import io.minio.errors.ErrorResponseException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Set;

/**
 * Turns MinIO's many checked exceptions into IOExceptions that say which store, bucket and key
 * failed and what to do about it. S3 error messages carry no secrets, so they are kept.
 */
final class S3Failures {

  private static final Set<String> CREDENTIAL_CODES =
      Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken");

  private S3Failures() {
  }

  /** A failure on one object, s3://bucket/key. */
  static IOException onObject(Throwable e, String endpoint, String bucket, String key) {
    return translate(e, endpoint, bucket, "s3://" + bucket + "/" + key);
  }

  /** A failure on the bucket as a whole (a listing, the reachability check). */
  static IOException onBucket(Throwable e, String endpoint, String bucket) {
    return translate(e, endpoint, bucket, "bucket " + bucket);
  }

  static boolean isNoSuchKey(Throwable e) {
    return e instanceof ErrorResponseException error
        && "NoSuchKey".equals(error.errorResponse().code());
  }

  private static IOException translate(Throwable e, String endpoint, String bucket, String what) {
    if (e instanceof ErrorResponseException error) {
      String code = error.errorResponse().code();
      if ("NoSuchKey".equals(code)) {
        return new FileNotFoundException(what + " does not exist (object store " + endpoint + ")");
      }
      if ("NoSuchBucket".equals(code)) {
        return new IOException("object store " + endpoint + " has no bucket " + bucket
            + " (needed for " + what + "): create it, or set spec.storage.bucket", e);
      }
      if (CREDENTIAL_CODES.contains(code)) {
        return new IOException("object store " + endpoint + " denied access to " + what + " ("
            + code + "): check the credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY", e);
      }
      return new IOException("object store " + endpoint + " failed on " + what + ": " + code + " "
          + error.errorResponse().message(), e);
    }
    if (e instanceof IOException) {
      // Connection refused, unknown host, timeouts: the store is not there.
      return new IOException(
          "object store " + endpoint + " (" + what + ") is unreachable: " + rootMessage(e), e);
    }
    return new IOException("object store " + endpoint + " failed on " + what + ": " + e, e);
  }

  /** The innermost message ("Connection refused" rather than "Failed to connect to ..."). */
  static String rootMessage(Throwable e) {
    String message = e.toString();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return message;
  }
}
