package dev.semisup.worker.experiment;

import java.util.List;

/**
 * One line of the results table: a grid point at one seed and what its run measured (null where
 * it measured nothing: a supervised variant has no student and no index).
 *
 * @param wallSeconds the run's own wall time when it ran (the teacher's for a supervised variant,
 *                    whose shared teacher is not counted in the others); null when it finished in an
 *                    earlier invocation that did not record it
 */
public record ResultRow(List<String> values, int seed, String run, Double teacherAccuracy, Double studentAccuracy,
    Double finalAccuracy, Double pseudoLabelPrecision, Long indexSize, Double wallSeconds) {

  public ResultRow {
    values = List.copyOf(values);
  }
}
