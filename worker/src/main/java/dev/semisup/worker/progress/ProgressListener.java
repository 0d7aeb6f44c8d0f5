package dev.semisup.worker.progress;

import dev.semisup.api.report.StageProgress;

/** Sees every progress update (the terminal's progress bars in local mode). */
@FunctionalInterface
public interface ProgressListener {

  ProgressListener NONE = progress -> { };

  void onProgress(StageProgress progress);

  /** The step ended (successfully or not); bars close. */
  default void onStepEnd(String step) {
  }
}
