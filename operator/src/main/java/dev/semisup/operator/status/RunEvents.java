package dev.semisup.operator.status;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;

/** Where the operator reports what happened to a run, as Kubernetes Events. */
public interface RunEvents {

  void normal(SemiSupervisedRun run, String reason, String message);

  void warning(SemiSupervisedRun run, String reason, String message);
}
