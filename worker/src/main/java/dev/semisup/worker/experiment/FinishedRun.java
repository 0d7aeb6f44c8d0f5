package dev.semisup.worker.experiment;

import dev.semisup.api.report.RunReport;

/**
 * A point's run that finished before this invocation reached it, read back instead of run.
 *
 * @param experiment the folder name of the other experiment that ran it; null for this experiment's own run
 * @param seconds    its recorded wall time; null when none was recorded
 */
record FinishedRun(String experiment, String run, RunReport report, Double seconds) {

  /** What the progress line says of it. */
  String readBack() {
    return experiment == null ? "already finished (" + run + ", report.json read back)"
        : "already finished by experiment '" + experiment + "' (" + run + ", the same spec; report.json read back)";
  }
}
