package dev.semisup.worker.experiment;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import java.util.List;

/**
 * One run of an experiment: a grid point (a variant and a value of every axis) at one seed.
 *
 * @param values           the point's column values, as {@link Grid#pointColumns()} names them
 * @param manifest         the run: the base with the point's fields and seed shift, named {@code runName}
 * @param runName          derived from a hash of the spec, so an edited grid never reads another point's results
 * @param teacher          the run that trains this point's teacher alone (named {@code <grid>-teacher-<hash>}),
 *                         shared by every point whose teacher-affecting fields are equal; null when the base
 *                         names a teacher checkpoint itself
 */
public record GridPoint(int index, List<String> values, int seed, boolean supervised, SemiSupervisedRun manifest,
    String runName, SemiSupervisedRun teacher) {

  public GridPoint {
    values = List.copyOf(values);
  }

  /** The run whose report is this point's result: the teacher's for a supervised variant. */
  public String resultRun() {
    return supervised ? teacher.getMetadata().getName() : runName;
  }

  /** The hash of the spec that ends the run's name: equal hashes, equal specs, whatever the grid. */
  public String specHash() {
    return runName.substring(runName.length() - GridPoints.HASH_CHARS);
  }

  public String describe(List<String> columns) {
    return GridPoints.describe(columns, values, seed);
  }
}
