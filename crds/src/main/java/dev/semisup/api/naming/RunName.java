package dev.semisup.api.naming;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one rule for a run's name (metadata.name), checked by {@code semisup run} before anything
 * touches the store and by the CRD's CEL rule on the cluster: a DNS-1123 label, short enough that
 * every Job name made from it stays whole and every pod host name fits ({@link StepJobName}). A
 * label, not a subdomain, because the name becomes part of Job names, pod host names and label
 * values; and it never holds '/', so the default prefix runs/namespace/name of one run can neither
 * contain nor lie inside another run's.
 */
public final class RunName {

  /** Lower-case letters, digits and '-', starting and ending with a letter or digit. */
  public static final String REGEX = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  /** What a Job name may hold less the longest step and retry suffix: see {@link StepJobName}. */
  public static final int MAX_LENGTH = StepJobName.MAX_LENGTH - StepJobName.LONGEST_STEP_SUFFIX.length();

  private static final Pattern PATTERN = Pattern.compile(REGEX);

  private RunName() {
  }

  /** Why a name cannot be a run's name, or empty when it can. */
  public static Optional<String> problem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("is required: the run's name (lower-case letters, digits and '-')");
    }
    if (name.length() > MAX_LENGTH) {
      return Optional.of("must be at most " + MAX_LENGTH + " characters (with its longest step and retry suffix, e.g. '"
          + StepJobName.LONGEST_STEP_SUFFIX + "', it names Jobs and their pods), has "
          + name.length());
    }
    if (!PATTERN.matcher(name).matches()) {
      return Optional.of("must be lower-case letters, digits and '-', starting and ending with a letter or digit"
          + " (a DNS-1123 label), was '" + name + "'");
    }
    return Optional.empty();
  }

  public static boolean isValid(String name) {
    return problem(name).isEmpty();
  }
}
