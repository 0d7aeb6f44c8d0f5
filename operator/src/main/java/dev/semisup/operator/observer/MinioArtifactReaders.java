package dev.semisup.operator.observer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StorageSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.ListObjectsArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.messages.Item;
import io.minio.errors.ErrorResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads artifacts with the MinIO SDK, with the keys of the Secret named by
 * {@code spec.storage.credentialsSecret} as the caller found it (never logged); clients are kept
 * per endpoint and Secret version, so a rotated Secret gets a new one.
 */
public final class MinioArtifactReaders implements ArtifactReaders {

  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Map<String, MinioClient> clients = new ConcurrentHashMap<>();

  @Override
  public ArtifactReader readerFor(SemiSupervisedRun run, Secret secret) throws StorageUnreachableException {
    StorageSpec storage = run.getSpec().getStorage();
    String namespace = run.getMetadata().getNamespace();
    String secretName = storage.getCredentialsSecret();
    if (secret == null) {
      throw new StorageUnreachableException(StoreFault.SECRET_NOT_FOUND,
          "Secret " + namespace + "/" + secretName + " named by spec.storage.credentialsSecret does not exist", null);
    }
    String accessKey = value(secret, WorkerContract.SECRET_ACCESS_KEY);
    String secretKey = value(secret, WorkerContract.SECRET_SECRET_KEY);
    if (accessKey == null || secretKey == null) {
      throw new StorageUnreachableException(StoreFault.SECRET_INCOMPLETE, "Secret " + namespace + "/" + secretName
          + " needs keys " + WorkerContract.SECRET_ACCESS_KEY + " and " + WorkerContract.SECRET_SECRET_KEY, null);
    }
    String key = storage.getEndpoint() + "|" + namespace + "/" + secretName + "@" + secret.getMetadata().getResourceVersion();
    MinioClient client = clients.computeIfAbsent(key, k -> {
      MinioClient c = MinioClient.builder()
          .endpoint(storage.getEndpoint())
          .region(storage.getRegion())
          .credentials(accessKey, secretKey)
          .build();
      // The SDK waits minutes by default; a status refresh must not.
      c.setTimeout(TimeUnit.SECONDS.toMillis(3), TimeUnit.SECONDS.toMillis(5), TimeUnit.SECONDS.toMillis(5));
      return c;
    });
    return new Reader(client, storage.getBucket(), storage.getEndpoint());
  }

  private static String value(Secret secret, String key) {
    if (secret.getData() != null && secret.getData().get(key) != null) {
      return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    return secret.getStringData() == null ? null : secret.getStringData().get(key);
  }

  private record Reader(MinioClient client, String bucket, String endpoint) implements ArtifactReader {

    @Override
    public Optional<StageProgress> progress(String key) throws StorageUnreachableException {
      return read(key, StageProgress.class);
    }

    @Override
    public Optional<StageMetrics> metrics(String key) throws StorageUnreachableException {
      return read(key, StageMetrics.class);
    }

    @Override
    public Optional<RunReport> report(String key) throws StorageUnreachableException {
      return read(key, RunReport.class);
    }

    @Override
    public Optional<RunMarker> marker(String key) throws StorageUnreachableException {
      return read(key, RunMarker.class);
    }

    @Override
    public boolean exists(String key) throws StorageUnreachableException {
      try {
        client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
        return true;
      } catch (ErrorResponseException e) {
        if ("NoSuchKey".equals(e.errorResponse().code()) || "NoSuchObject".equals(e.errorResponse().code())) {
          return false;
        }
        throw fault(key, e);
      } catch (IOException e) {
        throw new StorageUnreachableException(StoreFault.CONNECTION_FAILED,
            "cannot reach " + endpoint + " (spec.storage.endpoint): " + ErrorText.of(e), e);
      } catch (Exception e) {
        throw new StorageUnreachableException(StoreFault.STORAGE_ERROR,
            "stat of s3://" + bucket + "/" + key + " at " + endpoint + " failed: " + e.getClass().getSimpleName(), e);
      }
    }

    @Override
    public int deleteAll(String prefix) throws StorageUnreachableException {
      int deleted = 0;
      try {
        for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
            .recursive(true).build())) {
          client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(result.get().objectName()).build());
          deleted++;
        }
        return deleted;
      } catch (ErrorResponseException e) {
        throw fault(prefix, e);
      } catch (IOException e) {
        throw new StorageUnreachableException(StoreFault.CONNECTION_FAILED,
            "cannot reach " + endpoint + " (spec.storage.endpoint): " + ErrorText.of(e), e);
      } catch (Exception e) {
        throw new StorageUnreachableException(StoreFault.STORAGE_ERROR,
            "deleting s3://" + bucket + "/" + prefix + " at " + endpoint + " failed: " + e.getClass().getSimpleName(), e);
      }
    }

    private <T> Optional<T> read(String key, Class<T> type) throws StorageUnreachableException {
      try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
        return Optional.of(JSON.readValue(in, type));
      } catch (ErrorResponseException e) {
        if ("NoSuchKey".equals(e.errorResponse().code())) {
          return Optional.empty();
        }
        throw fault(key, e);
      } catch (com.fasterxml.jackson.core.JacksonException e) {
        // A half-written or foreign file is not an outage; skip it this time.
        return Optional.empty();
      } catch (IOException e) {
        throw new StorageUnreachableException(StoreFault.CONNECTION_FAILED,
            "cannot reach " + endpoint + " (spec.storage.endpoint): " + ErrorText.of(e), e);
      } catch (Exception e) {
        throw new StorageUnreachableException(StoreFault.STORAGE_ERROR,
            "reading s3://" + bucket + "/" + key + " at " + endpoint + " failed: " + e.getClass().getSimpleName(), e);
      }
    }

    private StorageUnreachableException fault(String key, ErrorResponseException e) {
      String code = e.errorResponse().code();
      if ("NoSuchBucket".equals(code)) {
        return new StorageUnreachableException(StoreFault.BUCKET_NOT_FOUND,
            "bucket " + bucket + " (spec.storage.bucket) does not exist at " + endpoint, e);
      }
      if (java.util.Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch").contains(code)) {
        return new StorageUnreachableException(StoreFault.CREDENTIALS_REJECTED, endpoint + " refused the credentials"
            + " of the Secret named by spec.storage.credentialsSecret: " + code, e);
      }
      // Only the S3 error code: the store's message text is the store's, not ours to publish.
      return new StorageUnreachableException(StoreFault.STORAGE_ERROR,
          "s3://" + bucket + "/" + key + " at " + endpoint + ": " + ErrorText.code(code), e);
    }
  }
}
