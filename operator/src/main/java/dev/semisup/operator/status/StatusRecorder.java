package dev.semisup.operator.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.net.HttpURLConnection;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that writes a run's status. A reconcile starts with {@link #snapshot}, changes the
 * status in memory, and ends with {@link #record}: an unchanged status is not written; a changed
 * one replaces the status subresource (PUT with the resourceVersion the reconcile read, so a real
 * API server refuses a status computed from a stale copy with 409), and the written run goes into
 * JOSDK's cache so the next reconcile starts from it. A 409 just reconciles again shortly.
 *
 * <p>Why not JOSDK's JSON patch of the status: it is computed against the cached copy, and when
 * that copy is behind the server (a watch event not yet delivered) its index-based operations
 * append a condition a second time or fail outright; seen in the e2e tests.
 */
public class StatusRecorder {

  static final Duration AFTER_CONFLICT = Duration.ofMillis(200);
  private static final Logger LOG = LoggerFactory.getLogger(StatusRecorder.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;

  public StatusRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** A copy of the status as read, to compare with at the end. */
  public String snapshot(SemiSupervisedRun run) {
    if (run.getStatus() == null) {
      run.setStatus(new SemiSupervisedRunStatus());
      return "";
    }
    return json(run.getStatus());
  }

  /**
   * Writes the status if it changed, then sends the reconcile's events; a 409 drops them (the
   * next reconcile makes the same change and tells of it). Returns when to reconcile again (null:
   * on the next event only).
   */
  public UpdateControl<SemiSupervisedRun> record(SemiSupervisedRun run, String snapshot, Duration rescheduleAfter,
      Context<SemiSupervisedRun> context, PendingEvents events) {
    UpdateControl<SemiSupervisedRun> control = UpdateControl.noUpdate();
    if (changed(run, snapshot) && !write(run, context)) {
      events.drop();
      return control.rescheduleAfter(AFTER_CONFLICT);
    }
    events.send();
    return rescheduleAfter == null ? control : control.rescheduleAfter(rescheduleAfter);
  }

  /** Writes the status; false when the run changed since it was read (409). */
  public boolean write(SemiSupervisedRun run, Context<SemiSupervisedRun> context) {
    try {
      SemiSupervisedRun written = client.resource(run).updateStatus();
      if (context != null && context.eventSourceRetriever() != null) {
        context.eventSourceRetriever().getControllerEventSource()
            .handleRecentResourceUpdate(ResourceID.fromResource(written), written, run);
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return true; // deleted meanwhile: its Jobs go with it, nothing to record
      }
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      LOG.debug("{}/{} changed since it was read; reconciling again", run.getMetadata().getNamespace(),
          run.getMetadata().getName());
      return false;
    }
  }

  public boolean changed(SemiSupervisedRun run, String snapshot) {
    return !json(run.getStatus()).equals(snapshot);
  }

  private static String json(SemiSupervisedRunStatus status) {
    try {
      return JSON.writeValueAsString(status);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("status cannot be written as JSON", e);
    }
  }
}
