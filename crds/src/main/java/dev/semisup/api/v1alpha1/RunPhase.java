package dev.semisup.api.v1alpha1;

public enum RunPhase {
  Pending, Running, Succeeded, Failed, Suspended;

  public boolean finished() {
    return this == Succeeded || this == Failed;
  }
}
