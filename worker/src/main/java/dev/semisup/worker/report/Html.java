package dev.semisup.worker.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Locale;

/** The report page's text: escaping, and how numbers, times and images are written in it. */
final class Html {

  private Html() {
  }

  static String className(int cls) {
    return "class " + cls;
  }

  static String image(byte[] bytes, String type, String alt) {
    return "<img class=\"chart\" src=\"data:" + type + ";base64," + Base64.getEncoder().encodeToString(bytes)
        + "\" alt=\"" + escape(alt) + "\">";
  }

  static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  /** Time of day to the second, UTC: the timeline's date is in its heading. */
  static String clockTime(Instant instant) {
    return escape(DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC).format(instant));
  }

  /** An instant to the second, for headings. */
  static String second(Instant instant) {
    return escape(instant.truncatedTo(ChronoUnit.SECONDS).toString());
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return (s / 60) + " min " + (s % 60) + " s";
    }
    return (s / 3600) + " h " + (s % 3600 / 60) + " min";
  }

  static String percent(Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * value);
  }

  static String score(Float value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.3f", value);
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

}
