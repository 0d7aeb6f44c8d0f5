package dev.semisup.worker.store;

/** The shape every object key must have, the same for every store. */
final class ObjectKeys {

  /**
   * Temporary files of {@link LocalDirectoryStore} start with this; a key whose name does would be
   * hidden from list(), so it is refused.
   */
  static final String PARTIAL_PREFIX = ".partial-";

  private ObjectKeys() {
  }

  /**
   * A key is relative, '/'-separated, with no empty, "." or ".." segment: a local store maps it
   * under its root, so it must not be able to climb out of it.
   */
  static String check(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("object key is empty");
    }
    if (key.startsWith("/") || key.endsWith("/")) {
      throw new IllegalArgumentException("object key must not start or end with '/': " + key);
    }
    if (key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("object key must not contain '\\' or NUL: " + key);
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "object key has an empty, '.' or '..' segment: " + key);
      }
    }
    if (name(key).startsWith(PARTIAL_PREFIX)) {
      throw new IllegalArgumentException(
          "object key names a temporary file (" + PARTIAL_PREFIX + "...): " + key);
    }
    return key;
  }

  /** A list prefix is a key's beginning: it may be empty or end with '/'. */
  static String checkPrefix(String prefix) {
    if (prefix == null) {
      return "";
    }
    if (prefix.startsWith("/") || prefix.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("list prefix must be relative, without '\\': " + prefix);
    }
    for (String segment : prefix.split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("list prefix has a '.' or '..' segment: " + prefix);
      }
    }
    return prefix;
  }

  static String name(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }
}
