package dev.semisup.worker.store;

import dev.semisup.api.WorkerContract;
import dev.semisup.worker.input.EnvironmentNumbers;
import java.util.Map;

/**
 * How a pass reads the files of an object store: {@code ranges} byte ranges of {@code rangeBytes}
 * fetched at once ahead of the reader ({@link RangedReadAhead}), or one stream per file where
 * {@code ranges} is 1. One connection to an object store carries far less than a pod's bandwidth,
 * so a pass that must feed an accelerator keeps several GETs in flight; it holds at most
 * {@code (ranges + 1) x rangeBytes} bytes for it: the {@code ranges} ahead and the one being read.
 *
 * <p>{@code SEMISUP_READ_AHEAD} and {@code SEMISUP_READ_RANGE_MIB} (default
 * {@link #DEFAULT_RANGE_MIB}) override them. The ranges default to the CPUs the pod may use, within
 * {@link #FEWEST_RANGES_BY_DEFAULT}..{@link #MOST_RANGES_BY_DEFAULT}: a core decodes photos about as fast as
 * one connection to an object store carries them, and the operator sets no variable of its own, so
 * a pod given more cores for decoding keeps more GETs open with no setting.
 */
public record ReadAheadSettings(int ranges, int rangeBytes) {

  /** The fewest ranges read ahead by default, whatever the CPUs. */
  public static final int FEWEST_RANGES_BY_DEFAULT = 4;
  /** The most ranges read ahead by default: (16 + 1) x 8 MiB held at most. */
  public static final int MOST_RANGES_BY_DEFAULT = 16;
  public static final int DEFAULT_RANGE_MIB = 8;
  static final int MAX_RANGES = 64;
  static final int MAX_RANGE_MIB = 64;

  public ReadAheadSettings {
    if (ranges < 1 || ranges > MAX_RANGES) {
      throw new IllegalArgumentException("ranges read ahead must be in 1.." + MAX_RANGES + ", was " + ranges);
    }
    if (rangeBytes < 1 || rangeBytes > MAX_RANGE_MIB << 20) {
      throw new IllegalArgumentException("a range must be 1 byte to " + MAX_RANGE_MIB + " MiB, was " + rangeBytes);
    }
  }

  /** Each file as one forward-only stream, nothing read ahead. */
  public static ReadAheadSettings sequential() {
    return new ReadAheadSettings(1, DEFAULT_RANGE_MIB << 20);
  }

  public boolean readsAhead() {
    return ranges > 1;
  }

  private static volatile ReadAheadSettings configured;

  /**
   * The settings of this process, from its environment, read on first use: a bad value fails the
   * step that reads with an InvalidSettingException naming the variable (exit 2), every time.
   */
  public static ReadAheadSettings configured() {
    ReadAheadSettings settings = configured;
    if (settings == null) {
      settings = fromEnvironment(System.getenv());
      configured = settings;
    }
    return settings;
  }

  /** The settings an environment asks for; a value that is not a number in range names its variable (exit 2). */
  public static ReadAheadSettings fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, Runtime.getRuntime().availableProcessors());
  }

  /** As {@link #fromEnvironment(Map)} on a machine with {@code cpus} CPUs for the default. */
  static ReadAheadSettings fromEnvironment(Map<String, String> env, int cpus) {
    int byCpus = Math.max(FEWEST_RANGES_BY_DEFAULT, Math.min(MOST_RANGES_BY_DEFAULT, cpus));
    int ranges = EnvironmentNumbers.wholeNumber(env, WorkerContract.ENV_READ_AHEAD, byCpus, MAX_RANGES);
    int rangeMib = EnvironmentNumbers.wholeNumber(env, WorkerContract.ENV_READ_RANGE_MIB, DEFAULT_RANGE_MIB, MAX_RANGE_MIB);
    return new ReadAheadSettings(ranges, rangeMib << 20);
  }
}
