package dev.semisup.worker.experiment;

import dev.semisup.api.report.RunReport;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import java.util.Optional;

/**
 * How an experiment runs its points: the local pipeline of {@code semisup run} (the command
 * line's implementation), kept behind this seam so the grid logic is plain Java.
 */
public interface Pipeline {

  /**
   * The teacher of a run, trained alone (or found done): the run that trained it, where its
   * parameters are and how it scored.
   */
  record Teacher(String run, String modelUri, Double accuracy, boolean trainedNow) {
  }

  /** Trains the run's teacher step alone, or finds it done with the same inputs. */
  Teacher teacher(SemiSupervisedRun run) throws RunFailedException;

  /** The run's teacher if its step finished (its _SUCCESS exists), else empty; trains nothing. */
  Optional<Teacher> finishedTeacher(SemiSupervisedRun run) throws RunFailedException;

  /** The report of a run that finished (its report.json and the last step's _SUCCESS exist), else empty. */
  Optional<RunReport> finished(SemiSupervisedRun run) throws RunFailedException;

  /** Runs the whole plan (a given teacher checkpoint skips the teacher step) and returns its report. */
  RunReport run(SemiSupervisedRun run) throws RunFailedException;

  /** A run that failed, with the command's exit code (2: input the user can fix). */
  final class RunFailedException extends Exception {
    private final int exitCode;

    public RunFailedException(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }
}
