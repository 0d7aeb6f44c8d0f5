package dev.semisup.operator.testing;

import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.observer.ArtifactReader;
import dev.semisup.operator.observer.ArtifactReaders;
import dev.semisup.operator.observer.StorageUnreachableException;
import dev.semisup.operator.observer.StoreFault;
import dev.semisup.api.report.RunMarker;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An object store in a map, which a test can take down and bring back, and which counts the
 * reads (GETs) made of it. It opens for a run only with the run's Secret, as the real one does.
 */
public final class FakeArtifacts implements ArtifactReaders, ArtifactReader {

  private final Map<String, Object> objects = new ConcurrentHashMap<>();
  private volatile boolean down;
  private final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

  public void put(String key, Object value) {
    objects.put(key, value);
  }

  public void down(boolean down) {
    this.down = down;
  }

  /** GETs of objects so far. */
  public int reads() {
    return reads.get();
  }

  @Override
  public ArtifactReader readerFor(SemiSupervisedRun run, Secret credentials) throws StorageUnreachableException {
    if (credentials == null) {
      throw new StorageUnreachableException(StoreFault.SECRET_NOT_FOUND, "Secret " + run.getMetadata().getNamespace() + "/"
          + run.getSpec().getStorage().getCredentialsSecret() + " named by spec.storage.credentialsSecret does not exist",
          null);
    }
    return this;
  }

  @Override
  public Optional<StageProgress> progress(String key) throws StorageUnreachableException {
    return get(key, StageProgress.class);
  }

  @Override
  public Optional<StageMetrics> metrics(String key) throws StorageUnreachableException {
    return get(key, StageMetrics.class);
  }

  @Override
  public Optional<RunReport> report(String key) throws StorageUnreachableException {
    return get(key, RunReport.class);
  }

  @Override
  public Optional<RunMarker> marker(String key) throws StorageUnreachableException {
    return get(key, RunMarker.class);
  }

  @Override
  public boolean exists(String key) throws StorageUnreachableException {
    return get(key, Object.class).isPresent();
  }

  @Override
  public int deleteAll(String prefix) throws StorageUnreachableException {
    if (down) {
      throw new StorageUnreachableException(StoreFault.CONNECTION_FAILED, "cannot reach http://minio.storage:9000"
          + " (spec.storage.endpoint): ConnectException", null);
    }
    int before = objects.size();
    objects.keySet().removeIf(key -> key.startsWith(prefix));
    return before - objects.size();
  }

  public java.util.Set<String> keys() {
    return java.util.Set.copyOf(objects.keySet());
  }

  public void remove(String key) {
    objects.remove(key);
  }

  private <T> Optional<T> get(String key, Class<T> type) throws StorageUnreachableException {
    reads.incrementAndGet();
    if (down) {
      throw new StorageUnreachableException(StoreFault.CONNECTION_FAILED, "cannot reach http://minio.storage:9000 (spec.storage.endpoint): connection refused", null);
    }
    return Optional.ofNullable(objects.get(key)).map(type::cast);
  }
}
