package dev.semisup.operator.observer;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;

/** Opens the reader of a run's object store (its endpoint, bucket and credentials Secret). */
@FunctionalInterface
public interface ArtifactReaders {

  ArtifactReader readerFor(SemiSupervisedRun run) throws StorageUnreachableException;
}
