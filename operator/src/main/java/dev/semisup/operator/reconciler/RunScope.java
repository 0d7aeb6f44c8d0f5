package dev.semisup.operator.reconciler;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunStatus;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.observer.RunObservation;
import dev.semisup.operator.observer.StoreHealth;
import dev.semisup.operator.status.RunEvents;

/**
 * What the actors of one reconcile share: the run (whose status they change in memory), the
 * spec it runs with, its plan and layout, what the observer saw, the time of the reconcile, and
 * its events (sent once its status is written).
 */
record RunScope(SemiSupervisedRun run, SemiSupervisedRunSpec spec, StagePlan plan, ObjectLayout layout,
    RunObservation seen, StoreHealth health, String now, RunEvents events) {

  SemiSupervisedRunStatus status() {
    return run.getStatus();
  }

  StageStatus stage(PlannedStep step) {
    return status().getStages().stream().filter(s -> s.getName().equals(step.id())).findFirst().orElseThrow();
  }

  String uri(String key) {
    return "s3://" + spec.getStorage().getBucket() + "/" + key;
  }

  String retryValue() {
    var annotations = run.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(SemiSupervisedRun.RETRY_ANNOTATION);
  }
}
