package dev.semisup.operator.observer;

import dev.semisup.api.report.RunMarker;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.report.StageProgress;
import java.util.Optional;

/**
 * What the operator reads from a run's object store: small JSON files written by the worker, by
 * their keys in {@link dev.semisup.api.layout.ObjectLayout}. Empty when the object is not there
 * (yet); {@link StorageUnreachableException} when the store cannot be asked.
 */
public interface ArtifactReader {

  Optional<StageProgress> progress(String key) throws StorageUnreachableException;

  Optional<StageMetrics> metrics(String key) throws StorageUnreachableException;

  Optional<RunReport> report(String key) throws StorageUnreachableException;

  /** The run marker at {@code <prefix>/run.json}: who owns the prefix. */
  Optional<RunMarker> marker(String key) throws StorageUnreachableException;

  /** Whether an object exists, e.g. a step's _SUCCESS after its Job is gone. */
  boolean exists(String key) throws StorageUnreachableException;

  /**
   * The operator's one write: deletes every object whose key starts with {@code prefix} (a run's
   * artifacts, on deletion with storage.cleanup Delete).
   *
   * @return how many objects were deleted
   */
  int deleteAll(String prefix) throws StorageUnreachableException;
}
