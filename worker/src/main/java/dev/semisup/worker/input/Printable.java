package dev.semisup.worker.input;

/**
 * A name from the data (a tar member, a file's URI) as it may reach a terminal or a log: a
 * member name is whatever bytes the archive's author chose, and an escape sequence in it would
 * drive the user's terminal (move the cursor, retitle the window, hide the lines above). Control
 * characters are shown as escapes ({@code ESC} as {@code \x1b}, a line break as {@code \n}), and a
 * name that starts or ends with white space is quoted, so the space is seen.
 */
public final class Printable {

  private Printable() {
  }

  /**
   * A message for the terminal that may carry names from the data: as {@link #of}, except that
   * its own line breaks stay (a list of problems is one per line) and it is never quoted.
   */
  public static String message(String message) {
    if (message == null) {
      return "null";
    }
    String[] lines = message.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      lines[i] = escaped(lines[i]);
    }
    return String.join("\n", lines);
  }

  public static String of(String name) {
    if (name == null) {
      return "null";
    }
    String shown = escaped(name);
    boolean padded = !name.isEmpty() && (Character.isWhitespace(name.charAt(0))
        || Character.isWhitespace(name.charAt(name.length() - 1)));
    return name.isEmpty() || padded ? "'" + shown + "'" : shown;
  }

  private static String escaped(String name) {
    StringBuilder out = new StringBuilder(name.length() + 2);
    boolean escaped = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '\n') {
        out.append("\\n");
        escaped = true;
      } else if (c == '\r') {
        out.append("\\r");
        escaped = true;
      } else if (c == '\t') {
        out.append("\\t");
        escaped = true;
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
        escaped = true;
      } else if ((c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029' || (c >= '\u202a' && c <= '\u202e')
          || (c >= '\u2066' && c <= '\u2069')) {
        // C1 controls (a one-character CSI), line separators and bidirectional overrides.
        out.append(String.format("\\u%04x", (int) c));
        escaped = true;
      } else {
        out.append(c);
      }
    }
    return escaped ? out.toString() : name;
  }
}
