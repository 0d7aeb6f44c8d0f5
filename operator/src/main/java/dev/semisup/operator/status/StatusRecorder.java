package dev.semisup.operator.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunStatus;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;

/**
 * The one place that decides whether a run's status is written. A reconcile starts with
 * {@link #snapshot}, changes the status in memory, and ends with {@link #record}: an unchanged
 * status is not written (no write storms, no conflicts); a changed one goes out as JOSDK's status
 * patch (a JSON patch of the status subresource), and JOSDK keeps the written version in its cache
 * until the watch delivers it (see {@code withParseResourceVersions} in OperatorMain).
 */
public class StatusRecorder {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A copy of the status as read, to compare with at the end. */
  public String snapshot(SemiSupervisedRun run) {
    if (run.getStatus() == null) {
      run.setStatus(new SemiSupervisedRunStatus());
      return "";
    }
    return json(run.getStatus());
  }

  public UpdateControl<SemiSupervisedRun> record(SemiSupervisedRun run, String snapshot, Duration rescheduleAfter) {
    UpdateControl<SemiSupervisedRun> control = changed(run, snapshot)
        ? UpdateControl.patchStatus(run)
        : UpdateControl.noUpdate();
    return rescheduleAfter == null ? control : control.rescheduleAfter(rescheduleAfter);
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
