package dev.semisup.operator.observer;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * Finds the Secret named by {@code spec.storage.credentialsSecret}: the informer's copy, else (not
 * delivered yet, or really absent) the API server's word. A rotated Secret reaches the informer
 * by its watch, so the next reconcile reads with the new keys.
 */
public final class CredentialsSecrets {

  private final KubernetesClient client;

  public CredentialsSecrets(KubernetesClient client) {
    this.client = client;
  }

  /** The Secret, or null when the API server has none of that name. */
  public Secret find(SemiSupervisedRun run, Optional<Secret> cached) throws StorageUnreachableException {
    if (cached.isPresent()) {
      return cached.get();
    }
    String namespace = run.getMetadata().getNamespace();
    String name = run.getSpec().getStorage().getCredentialsSecret();
    try {
      return client.secrets().inNamespace(namespace).withName(name).get();
    } catch (RuntimeException e) {
      throw new StorageUnreachableException(StoreFault.SECRET_UNREADABLE,
          "cannot read Secret " + namespace + "/" + name + " (spec.storage.credentialsSecret): "
              + e.getClass().getSimpleName(), e);
    }
  }
}
