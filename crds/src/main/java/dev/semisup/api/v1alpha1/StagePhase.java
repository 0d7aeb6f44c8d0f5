package dev.semisup.api.v1alpha1;

public enum StagePhase {
  Pending, Running, Succeeded, Failed, Skipped
}
