package dev.semisup.worker.experiment;

import java.util.Locale;

/** A measured number of one run, as a plot's y axis names it and as the results table heads it. */
public enum Metric {
  TEACHER("teacher", "teacher accuracy (supervised, labeled set only)"),
  STUDENT("student", "student accuracy before fine-tuning"),
  FINAL("final", "final accuracy (fine-tuned student)"),
  PRECISION("precision", "pseudo-label precision of the sampled index");

  private final String wireName;
  private final String label;

  Metric(String wireName, String label) {
    this.wireName = wireName;
    this.label = label;
  }

  public String wireName() {
    return wireName;
  }

  public String label() {
    return label;
  }

  public Double of(ResultRow row) {
    return switch (this) {
      case TEACHER -> row.teacherAccuracy();
      case STUDENT -> row.studentAccuracy();
      case FINAL -> row.finalAccuracy();
      case PRECISION -> row.pseudoLabelPrecision();
    };
  }

  /** The metric of a wire name, or null when there is none. */
  public static Metric byName(String name) {
    for (Metric metric : values()) {
      if (metric.wireName.equals(name.toLowerCase(Locale.ROOT))) {
        return metric;
      }
    }
    return null;
  }
}
