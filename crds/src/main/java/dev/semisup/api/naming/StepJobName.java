package dev.semisup.api.naming;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.v1alpha1.SamplingSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The name of a step's Job: {@code <run>-<step id>}, and {@code -a<N>} for a retry from the failed
 * step (attempt N > 1), so the failed Job stays for inspection and the new one never collides.
 *
 * <p>The API server refuses an Indexed Job unless {@code <job name>-<completions - 1>} is a
 * DNS-1123 label (at most 63 characters): the Job controller gives each pod that host name. So a
 * Job name keeps room for the longest index, that of the most shards a run may ask for. The run
 * name's limit ({@link RunName#MAX_LENGTH}) follows from it: every step of the last round keeps its
 * plain name up to attempt {@value #READABLE_ATTEMPTS}. Later attempts are cut and end in a hash
 * of the whole name, so they still fit.
 */
public final class StepJobName {

  /** A DNS-1123 label's length: the pods' host names, and the job-name label on every pod. */
  public static final int DNS_LABEL_LENGTH = 63;
  /** Attempts up to this one keep the plain name even for a run name of the longest length. */
  public static final int READABLE_ATTEMPTS = 99;
  /** "-" and the highest index the Job controller appends to a sharded step's Job name. */
  public static final String LONGEST_INDEX_SUFFIX = "-" + (SamplingSpec.MAX_SHARDS - 1);
  /** The longest a Job name may be so that every pod host name of it is a DNS-1123 label. */
  public static final int MAX_LENGTH = DNS_LABEL_LENGTH - LONGEST_INDEX_SUFFIX.length();
  /** The longest "-<step id>-a<attempt>" of a readable name: the last round's longest step. */
  public static final String LONGEST_STEP_SUFFIX = Arrays.stream(Stage.values())
      .map(stage -> "-" + new PlannedStep(stage, SemiSupervisedRunSpec.MAX_ROUNDS, 1).id()
          + attemptSuffix(READABLE_ATTEMPTS))
      .reduce("", (a, b) -> b.length() > a.length() ? b : a);

  private static final int HASH_CHARS = 8;

  private StepJobName() {
  }

  public static String of(String run, String stepId, int attempt) {
    String name = run + "-" + stepId + attemptSuffix(attempt);
    if (name.length() <= MAX_LENGTH) {
      return name;
    }
    String hash = sha256(name).substring(0, HASH_CHARS);
    return name.substring(0, MAX_LENGTH - HASH_CHARS - 1).replaceAll("-+$", "") + "-" + hash;
  }

  private static String attemptSuffix(int attempt) {
    return attempt > 1 ? "-a" + attempt : "";
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
