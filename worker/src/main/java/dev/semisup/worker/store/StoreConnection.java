package dev.semisup.worker.store;

import dev.semisup.api.WorkerContract;
import dev.semisup.api.v1alpha1.StorageSpec;
import dev.semisup.worker.input.InvalidSettingException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a run's {@code spec.storage} and the worker's environment connect to: the artifact store
 * and the readers of data URIs. With {@code spec.storage.endpoint} set, both go through one S3
 * client, with credentials from {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY} (the
 * operator fills them from the Secret named by {@code spec.storage.credentialsSecret}). Without
 * it, the run is local: the artifacts live in {@code <localRoot>/<bucket>} and data is read from
 * file:// URIs only.
 *
 * <p>Configuration errors surface here, when the connection is made, not at the first write.
 */
public final class StoreConnection implements AutoCloseable {

  private final String bucket;
  private final S3Endpoint s3;
  private final Path localStore;

  private StoreConnection(String bucket, S3Endpoint s3, Path localStore) {
    this.bucket = bucket;
    this.s3 = s3;
    this.localStore = localStore;
  }

  /**
   * @param storage the run's {@code spec.storage}; null means local mode with defaults
   * @param env the process environment (tests pass their own)
   * @param localRoot the {@code --store DIR} of local mode; may be null when an endpoint is set
   */
  public static StoreConnection open(StorageSpec storage, Map<String, String> env, Path localRoot) {
    StorageSpec spec = storage == null ? new StorageSpec() : storage;
    String bucket = spec.getBucket();
    if (bucket == null || bucket.isBlank()) {
      throw new InvalidSettingException("spec.storage.bucket is empty");
    }
    String endpoint = spec.getEndpoint();
    if (endpoint == null || endpoint.isBlank()) {
      if (localRoot == null) {
        throw new InvalidSettingException("spec.storage.endpoint is empty, so the artifacts go to"
            + " a local directory, but none was given (--store DIR)");
      }
      return new StoreConnection(bucket, null, localRoot.resolve(bucket));
    }
    String accessKey = env.get(WorkerContract.ENV_ACCESS_KEY);
    String secretKey = env.get(WorkerContract.ENV_SECRET_KEY);
    if (isBlank(accessKey) || isBlank(secretKey)) {
      throw new InvalidSettingException(missingCredentials(spec, accessKey));
    }
    String region = isBlank(spec.getRegion()) ? "us-east-1" : spec.getRegion();
    S3Endpoint s3;
    try {
      s3 = S3Endpoint.connect(endpoint, region, accessKey, secretKey, StoreRetry.fromEnv(env));
    } catch (IllegalArgumentException e) {
      // MinIO's own message may not say which setting it was.
      throw new InvalidSettingException(
          "spec.storage.endpoint must be http(s)://host[:port], was " + endpoint, e);
    }
    return new StoreConnection(bucket, s3, null);
  }

  public boolean isLocal() {
    return s3 == null;
  }

  /** Local mode: the directory that is the artifact store ({@code <--store DIR>/<bucket>}). */
  public Path localDirectory() {
    if (!isLocal()) {
      throw new IllegalStateException("an S3 connection has no local directory");
    }
    return localStore;
  }

  /** The bucket of the run's artifacts: S3, or a directory named after the bucket in local mode. */
  public ObjectStore artifactStore() {
    return isLocal() ? new LocalDirectoryStore(localStore) : new S3ObjectStore(s3, bucket);
  }

  /** Readers of the run's data URIs: file:// always, s3:// through the endpoint if there is one. */
  public Blobs dataBlobs() {
    if (isLocal()) {
      return UriBlobs.filesOnly(new FileBlobs(), "s3:// data needs an S3 endpoint:"
          + " spec.storage.endpoint is empty (or copy the data and use a file:///path URI)");
    }
    return new UriBlobs(new FileBlobs(), new S3Blobs(s3));
  }

  /** For messages: where the artifacts go. */
  public String describe() {
    return isLocal()
        ? "local directory " + localStore
        : "object store " + s3 + " (bucket " + bucket + ")";
  }

  @Override
  public void close() throws IOException {
    if (s3 != null) {
      s3.close();
    }
  }

  @Override
  public String toString() {
    return describe();
  }

  private static String missingCredentials(StorageSpec spec, String accessKey) {
    String missing = isBlank(accessKey)
        ? WorkerContract.ENV_ACCESS_KEY
        : WorkerContract.ENV_SECRET_KEY;
    String secret = isBlank(spec.getCredentialsSecret())
        ? "the Secret named by spec.storage.credentialsSecret"
        : "Secret " + spec.getCredentialsSecret();
    return "spec.storage.endpoint is set (" + spec.getEndpoint() + ") but " + missing
        + " is not: the worker needs both " + WorkerContract.ENV_ACCESS_KEY + " and "
        + WorkerContract.ENV_SECRET_KEY + " (from " + secret + ", keys "
        + WorkerContract.SECRET_ACCESS_KEY + " and " + WorkerContract.SECRET_SECRET_KEY + ")";
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}
