package dev.semisup.api.naming;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule for an explicit {@code spec.storage.prefix}: a clean relative key, so it means one
 * place in the bucket. No leading or trailing '/', no empty segment ('a//b'), no '.' or '..'
 * segment, and only letters, digits, '.', '_' and '-' in a segment; keys stay the same on S3 and
 * in a local directory. Whether the prefix belongs to this run is the run marker's check.
 */
public final class StorePrefix {

  public static final String SEGMENT_REGEX = "^[A-Za-z0-9._-]+$";
  public static final int MAX_LENGTH = 512;

  private static final Pattern SEGMENT = Pattern.compile(SEGMENT_REGEX);

  private StorePrefix() {
  }

  /** Why a prefix cannot be used, or empty when it can. */
  public static Optional<String> problem(String prefix) {
    if (prefix.length() > MAX_LENGTH) {
      return Optional.of("must be at most " + MAX_LENGTH + " characters, has " + prefix.length());
    }
    if (prefix.startsWith("/") || prefix.endsWith("/")) {
      return Optional.of("must be a relative key with no leading or trailing '/', was '" + prefix + "'");
    }
    for (String segment : prefix.split("/", -1)) {
      if (segment.isEmpty()) {
        return Optional.of("must not contain an empty segment ('//'), was '" + prefix + "'");
      }
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of("must not contain a '" + segment + "' segment, was '" + prefix + "'");
      }
      if (!SEGMENT.matcher(segment).matches()) {
        return Optional.of("may hold only letters, digits, '.', '_', '-' and '/' between segments, was '" + prefix + "'");
      }
    }
    return Optional.empty();
  }
}
