package dev.semisup.operator.reconciler;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.operator.observer.ArtifactReader;
import dev.semisup.operator.observer.ArtifactReaders;
import dev.semisup.operator.observer.CredentialsSecrets;
import dev.semisup.operator.observer.StorageUnreachableException;
import dev.semisup.operator.status.EventRecorder;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import java.util.Optional;

/**
 * What happens to a deleted run's artifacts (the operator's finalizer): with
 * {@code storage.cleanup: Keep} nothing; with {@code Delete} every object under its prefix, but
 * only a prefix that is the run's own (under runs/&lt;namespace&gt;/, and its run.json, if any,
 * names this run), so a delete never removes another run's data. While the store cannot be
 * reached, the finalizer stays and the deletion is tried again.
 */
final class ArtifactCleanup {

  private final ArtifactReaders readers;
  private final EventRecorder events;
  private final Duration retryEvery;

  ArtifactCleanup(ArtifactReaders readers, EventRecorder events, Duration retryEvery) {
    this.readers = readers;
    this.events = events;
    this.retryEvery = retryEvery;
  }

  /** @param credentials finds the credentials Secret (the informer's copy first) */
  DeleteControl cleanup(SemiSupervisedRun run, CredentialsSecrets credentials, Optional<Secret> cachedSecret) {
    SemiSupervisedRunSpec spec = acceptedOrCurrent(run);
    if (!spec.getStorage().deletesArtifacts()) {
      return DeleteControl.defaultDelete();
    }
    String namespace = run.getMetadata().getNamespace();
    String prefix = spec.getStorage().resolvedPrefix(namespace, run.getMetadata().getName());
    if (!prefix.startsWith("runs/" + namespace + "/")) {
      events.warning(run, "CleanupSkipped", "storage.prefix " + prefix + " is outside runs/" + namespace
          + "/: its objects were never this run's to delete");
      return DeleteControl.defaultDelete();
    }
    RunMarker self = new RunMarker(namespace, run.getMetadata().getName(), run.getMetadata().getUid());
    try {
      ArtifactReader store = readers.readerFor(run, credentials.find(run, cachedSecret));
      Optional<RunMarker> owner = store.marker(new ObjectLayout(prefix).runMarker());
      if (owner.isPresent() && !owner.get().sameRunAs(self)) {
        events.warning(run, "CleanupSkipped", "s3 prefix " + prefix + " belongs to run " + owner.get().describe()
            + "; its artifacts are kept");
        return DeleteControl.defaultDelete();
      }
      int deleted = store.deleteAll(prefix + "/");
      events.normal(run, "ArtifactsDeleted", deleted + " objects under s3://" + spec.getStorage().getBucket() + "/"
          + prefix + "/ deleted (storage.cleanup: Delete)");
      return DeleteControl.defaultDelete();
    } catch (StorageUnreachableException e) {
      events.warning(run, "CleanupWaiting", e.getMessage() + "; the run stays until its artifacts are deleted"
          + " (retried every " + retryEvery.toSeconds() + "s)");
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(retryEvery.toMillis());
    }
  }

  /** The spec the run ran with: a deletion uses the storage it wrote to. */
  private static SemiSupervisedRunSpec acceptedOrCurrent(SemiSupervisedRun run) {
    if (run.getStatus() != null && run.getStatus().getAcceptedSpec() != null) {
      return new AcceptedSpec(run.getStatus().getAcceptedSpec()).effective(run.getSpec());
    }
    return run.getSpec();
  }
}
