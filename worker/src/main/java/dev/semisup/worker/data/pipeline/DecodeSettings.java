package dev.semisup.worker.data.pipeline;

import dev.semisup.api.WorkerContract;
import dev.semisup.worker.input.EnvironmentNumbers;
import java.util.Map;

/**
 * How a pass decodes: on how many threads, with how many images read ahead of its consumer.
 *
 * <p>Threads default to the CPUs the JVM may use ({@link Runtime#availableProcessors()}, which
 * follows a container's CPU limit): decoding and resizing a photo costs a core about twice
 * libjpeg-turbo's decode alone (bench/README.md, "Decoding one image"), so an accelerator scoring
 * thousands of images a second needs every core decoding for it. {@code SEMISUP_DECODE_THREADS}
 * overrides it.
 *
 * <p>The window defaults to {@link #DEFAULT_WINDOW}, one inference batch: the next batch is
 * decoded while the model scores this one, and a pass holds at most that many decoded images
 * whatever the data set's size. {@code SEMISUP_DECODE_WINDOW} overrides it (a training batch
 * larger than 256 wants at least its own size).
 */
public record DecodeSettings(int threads, int window) {

  /** Images read ahead of the consumer by default: one inference batch (InferStage.BATCH). */
  public static final int DEFAULT_WINDOW = 256;
  private static final int MAX_THREADS = 256;
  private static final int MAX_WINDOW = 1 << 16;

  public DecodeSettings {
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException("decode threads must be in 1.." + MAX_THREADS + ", was " + threads);
    }
    if (window < 1 || window > MAX_WINDOW) {
      throw new IllegalArgumentException("decode window must be in 1.." + MAX_WINDOW + ", was " + window);
    }
  }

  private static volatile DecodeSettings configured;

  /**
   * The settings of this process, from its environment, read on first use: a bad value fails the
   * step that decodes with an InvalidSettingException naming the variable (exit 2), every time it
   * is asked (a class holder would turn it into an ExceptionInInitializerError, then a
   * NoClassDefFoundError).
   */
  public static DecodeSettings configured() {
    DecodeSettings settings = configured;
    if (settings == null) {
      settings = fromEnvironment(System.getenv());
      configured = settings;
    }
    return settings;
  }

  /** The settings an environment asks for; a value that is not a number in range names its variable (exit 2). */
  public static DecodeSettings fromEnvironment(Map<String, String> env) {
    int threads = EnvironmentNumbers.wholeNumber(env, WorkerContract.ENV_DECODE_THREADS, Runtime.getRuntime().availableProcessors(), MAX_THREADS);
    int window = EnvironmentNumbers.wholeNumber(env, WorkerContract.ENV_DECODE_WINDOW, DEFAULT_WINDOW, MAX_WINDOW);
    return new DecodeSettings(threads, window);
  }
}
