package dev.semisup.worker.store;

import dev.semisup.worker.input.InvalidSettingException;
/** An s3://bucket/key URI taken apart; the key is empty for the whole bucket. */
public record S3Location(String bucket, String key) {

  static final String SCHEME = "s3://";

  public static S3Location parse(String uri) {
    if (uri == null || !uri.startsWith(SCHEME)) {
      throw new InvalidSettingException("not an s3://bucket/key URI: " + uri);
    }
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    if (bucket.isEmpty()) {
      throw new InvalidSettingException("s3 URI has no bucket: " + uri);
    }
    return new S3Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
  }

  boolean isFolder() {
    return key.isEmpty() || key.endsWith("/");
  }

  String uri(String objectKey) {
    return SCHEME + bucket + "/" + objectKey;
  }

  @Override
  public String toString() {
    return uri(key);
  }
}
