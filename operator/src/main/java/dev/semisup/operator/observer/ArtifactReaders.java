package dev.semisup.operator.observer;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import io.fabric8.kubernetes.api.model.Secret;

/** Opens the reader of a run's object store (its endpoint and bucket) with its credentials Secret. */
@FunctionalInterface
public interface ArtifactReaders {

  /**
   * @param credentials the Secret named by spec.storage.credentialsSecret, null when it does not
   *     exist ({@link StoreFault#SECRET_NOT_FOUND})
   */
  ArtifactReader readerFor(SemiSupervisedRun run, Secret credentials) throws StorageUnreachableException;
}
