package dev.semisup.operator.status;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import java.util.ArrayList;
import java.util.List;

/**
 * The events of one reconcile, held until its status is written ({@link StatusRecorder#record}).
 * An event tells of a change the status records; when the API server refuses that status (409),
 * the next reconcile makes the change again and tells of it then, so the refused one's events are
 * dropped rather than sent twice.
 */
public final class PendingEvents implements RunEvents {

  private final EventRecorder recorder;
  private final List<Runnable> held = new ArrayList<>();

  public PendingEvents(EventRecorder recorder) {
    this.recorder = recorder;
  }

  @Override
  public void normal(SemiSupervisedRun run, String reason, String message) {
    held.add(() -> recorder.normal(run, reason, message));
  }

  @Override
  public void warning(SemiSupervisedRun run, String reason, String message) {
    held.add(() -> recorder.warning(run, reason, message));
  }

  /** The status they describe is written: send them, in order. */
  void send() {
    held.forEach(Runnable::run);
    held.clear();
  }

  /** The status was refused: they never happened. */
  void drop() {
    held.clear();
  }
}
