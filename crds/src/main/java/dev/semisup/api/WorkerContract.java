package dev.semisup.api;

/**
 * How the operator starts a worker pod and how the worker reads it: the command line and the
 * environment variables. Both sides use these names, so they cannot drift apart.
 *
 * <p>Command: {@code semisup stage <step-id>} (e.g. {@code semisup stage infer}); after a torch-ddp
 * step's trainer pods, {@code semisup stage --complete <step-id>}.
 */
public final class WorkerContract {

  /** The run spec as JSON. */
  public static final String ENV_SPEC = "SEMISUP_SPEC";
  /** Alternative to {@link #ENV_SPEC}: a file holding the spec (JSON or YAML, or a whole manifest). */
  public static final String ENV_SPEC_FILE = "SEMISUP_SPEC_FILE";
  public static final String ENV_RUN_NAME = "SEMISUP_RUN_NAME";
  public static final String ENV_RUN_NAMESPACE = "SEMISUP_RUN_NAMESPACE";
  /** The run's Kubernetes UID: the identity a worker writes into and checks against the run marker. */
  public static final String ENV_RUN_UID = "SEMISUP_RUN_UID";
  /** The run's key prefix, already resolved (spec prefix or runs/namespace/name). */
  public static final String ENV_STORE_PREFIX = "SEMISUP_STORE_PREFIX";
  /**
   * Seconds the worker keeps retrying an object store call that fails transiently (connection
   * refused or reset, timeouts, 5xx, SlowDown) before it gives up; default 120, 0 turns retries off.
   */
  public static final String ENV_STORE_RETRY_SECONDS = "SEMISUP_STORE_RETRY_SECONDS";
  /**
   * Threads that decode images (JPEG/PNG to pixels, resized) ahead of the model; default the
   * CPUs the pod may use. Optional: the operator does not set it.
   */
  public static final String ENV_DECODE_THREADS = "SEMISUP_DECODE_THREADS";
  /** Images decoded ahead of the model at most (the decode pipeline's window); default 256. Optional. */
  public static final String ENV_DECODE_WINDOW = "SEMISUP_DECODE_WINDOW";
  /**
   * Byte ranges of a pool's tar files fetched at once ahead of the tar reader, each by its own
   * ranged GET; default the pod's CPUs within 4..16, 1 reads each file as one stream. Optional: the
   * operator does not set it.
   */
  public static final String ENV_READ_AHEAD = "SEMISUP_READ_AHEAD";
  /** Largest size of those ranges in MiB (each file is cut into even ranges); default 8. Optional. */
  public static final String ENV_READ_RANGE_MIB = "SEMISUP_READ_RANGE_MIB";
  /** Shard index of an Indexed Job pod, set by Kubernetes. */
  public static final String ENV_SHARD_INDEX = "JOB_COMPLETION_INDEX";
  /** Object store credentials, from the Secret named by storage.credentialsSecret. */
  public static final String ENV_ACCESS_KEY = "AWS_ACCESS_KEY_ID";
  public static final String ENV_SECRET_KEY = "AWS_SECRET_ACCESS_KEY";
  /** Keys of the credentials Secret. */
  public static final String SECRET_ACCESS_KEY = "accessKey";
  public static final String SECRET_SECRET_KEY = "secretKey";
  /** Written by the worker on failure; Kubernetes copies it into the pod's termination message. */
  public static final String TERMINATION_LOG = "/dev/termination-log";

  public static final String COMMAND = "semisup";
  public static final String STAGE_SUBCOMMAND = "stage";
  /**
   * Runs the worker's part of a step another engine trained (a torch-ddp trainer's pods): the
   * module checked against its card; for a fine-tune, the servable folder and the report.
   */
  public static final String COMPLETE_OPTION = "--complete";
  /**
   * Only claims the run's store prefix as every worker step does before writing (run.json written
   * when the prefix is new; exit 2 when it is another run's): what a pod whose main container is
   * not the worker (a torch-ddp trainer) runs first.
   */
  public static final String CLAIM_OPTION = "--claim";

  /** Exit codes of the semisup command. */
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_BAD_INPUT = 2;

  private WorkerContract() {
  }
}
