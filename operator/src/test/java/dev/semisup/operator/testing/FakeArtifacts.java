package dev.semisup.operator.testing;

import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.report.StageProgress;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.observer.ArtifactReader;
import dev.semisup.operator.observer.ArtifactReaders;
import dev.semisup.operator.observer.StorageUnreachableException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** An object store in a map, which a test can take down and bring back. */
public final class FakeArtifacts implements ArtifactReaders, ArtifactReader {

  private final Map<String, Object> objects = new ConcurrentHashMap<>();
  private volatile boolean down;

  public void put(String key, Object value) {
    objects.put(key, value);
  }

  public void down(boolean down) {
    this.down = down;
  }

  @Override
  public ArtifactReader readerFor(SemiSupervisedRun run) {
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

  private <T> Optional<T> get(String key, Class<T> type) throws StorageUnreachableException {
    if (down) {
      throw new StorageUnreachableException("ConnectionFailed", "cannot reach http://minio.storage:9000 (spec.storage.endpoint): connection refused", null);
    }
    return Optional.ofNullable(objects.get(key)).map(type::cast);
  }
}
