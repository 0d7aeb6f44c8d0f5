package dev.semisup.worker.input;

import java.util.Map;

/**
 * The worker's tuning variables (SEMISUP_DECODE_THREADS, SEMISUP_READ_AHEAD, ...): whole numbers
 * in 1..max, a default where unset, and a value out of range or not a number refused with the
 * variable's name, as the user's to fix (exit 2).
 */
public final class EnvironmentNumbers {

  private EnvironmentNumbers() {
  }

  /** The variable's value, or {@code fallback} (capped at {@code max}) where it is unset or blank. */
  public static int wholeNumber(Map<String, String> env, String name, int fallback, int max) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return Math.min(fallback, max);
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 1 && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below with the variable's name
    }
    throw new InvalidSettingException(name + ": must be a whole number in 1.." + max + ", was '" + value + "'");
  }
}
