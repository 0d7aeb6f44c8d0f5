package dev.semisup.worker.plot;

import java.util.List;

/**
 * What a spread plot shows: a measured value against one setting, one line per value of another,
 * each point the mean over seeds with the seeds' min and max. X values that are all numbers are
 * placed by value; otherwise (balanced / unbalanced, variant names) evenly, labelled by name.
 *
 * @param x      the x values, in plotting order, as text
 * @param series the lines; each has one mean/min/max per x value (NaN where it has no run)
 */
public record SpreadChart(String title, String xLabel, String yLabel, List<String> x, List<Series> series,
    int width, int height) {

  public SpreadChart {
    x = List.copyOf(x);
    series = List.copyOf(series);
    for (Series line : series) {
      if (line.mean().length != x.size() || line.min().length != x.size() || line.max().length != x.size()) {
        throw new IllegalArgumentException("series '" + line.name() + "' has " + line.mean().length
            + " values for " + x.size() + " x values");
      }
    }
  }

  /** One line: mean over seeds, and the lowest and highest seed, per x value. */
  public record Series(String name, double[] mean, double[] min, double[] max) {
  }

  /** True when every x value is a number, so x is placed by value. */
  public boolean numericX() {
    for (String value : x) {
      try {
        Double.parseDouble(value);
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return true;
  }
}
