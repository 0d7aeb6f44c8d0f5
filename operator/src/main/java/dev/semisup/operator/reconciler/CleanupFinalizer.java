package dev.semisup.operator.reconciler;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.observer.CredentialsSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.Optional;

/**
 * The operator's finalizer, only on runs whose artifacts are deleted with them
 * ({@code storage.cleanup: Delete}): with {@code Keep} a deletion has nothing to do, and a
 * finalizer would hold the deletion of every run while the operator is down. JOSDK puts its
 * finalizer on every run of a controller that implements {@code Cleaner}, so the reconciler is
 * called on every event instead (JOSDK's triggerReconcilerOnAllEvents) and manages it here.
 */
final class CleanupFinalizer {

  /** The name JOSDK gave it when it put it on every run: runs from those versions carry it. */
  static final String NAME = "semisupervisedruns.semisup.dev/finalizer";

  private final ArtifactCleanup cleanup;

  CleanupFinalizer(ArtifactCleanup cleanup) {
    this.cleanup = cleanup;
  }

  /**
   * Adds the finalizer to a run that deletes its artifacts (before its first Job writes any) and
   * removes it from one that keeps them. The run's resourceVersion follows, so the status write
   * that ends the reconcile is not refused for the metadata change made here.
   */
  void align(SemiSupervisedRun run, boolean deletesArtifacts, KubernetesClient client) {
    boolean carries = run.hasFinalizer(NAME);
    if (deletesArtifacts == carries) {
      return;
    }
    SemiSupervisedRun patched = deletesArtifacts
        ? PrimaryUpdateAndCacheUtils.addFinalizer(client, run, NAME)
        : PrimaryUpdateAndCacheUtils.removeFinalizer(client, run, NAME);
    run.getMetadata().setFinalizers(patched.getMetadata().getFinalizers());
    run.getMetadata().setResourceVersion(patched.getMetadata().getResourceVersion());
  }

  /** A run being deleted: its artifacts per storage.cleanup, then the finalizer goes; retried while the store is away. */
  UpdateControl<SemiSupervisedRun> onDeletion(SemiSupervisedRun run, Optional<Secret> cachedSecret,
      KubernetesClient client) {
    if (!run.hasFinalizer(NAME)) {
      return UpdateControl.noUpdate();
    }
    DeleteControl done = cleanup.cleanup(run, new CredentialsSecrets(client), cachedSecret);
    if (done.isRemoveFinalizer()) {
      PrimaryUpdateAndCacheUtils.removeFinalizer(client, run, NAME);
      return UpdateControl.noUpdate();
    }
    UpdateControl<SemiSupervisedRun> again = UpdateControl.noUpdate();
    done.getScheduleDelay().ifPresent(again::rescheduleAfter);
    return again;
  }
}
