package dev.semisup.worker.experiment;

import dev.semisup.worker.plot.SpreadChart;
import dev.semisup.worker.plot.SpreadPlots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grid's plots: for each plot of the grid file, its metric (in percent) against its x column,
 * one line per combination of the other columns' values, mean and min/max over seeds.
 */
public final class ExperimentPlots {

  private ExperimentPlots() {
  }

  public static List<Path> write(Grid grid, List<ResultRow> rows, Path folder) throws IOException {
    List<Path> written = new ArrayList<>();
    for (Grid.PlotSpec plot : grid.plots()) {
      Path png = folder.resolve(plot.file());
      SpreadPlots.writePng(chart(grid, plot, rows), png);
      written.add(png);
    }
    return written;
  }

  static SpreadChart chart(Grid grid, Grid.PlotSpec plot, List<ResultRow> rows) {
    List<String> columns = grid.pointColumns();
    int xColumn = columns.indexOf(plot.x());
    List<String> xs = new ArrayList<>();
    Map<String, Map<String, List<Double>>> lines = new LinkedHashMap<>();
    for (ResultRow row : rows) {
      String x = row.values().get(xColumn);
      if (!xs.contains(x)) {
        xs.add(x);
      }
      Map<String, List<Double>> line = lines.computeIfAbsent(lineName(columns, row.values(), xColumn),
          n -> new LinkedHashMap<>());
      List<Double> values = line.computeIfAbsent(x, v -> new ArrayList<>());
      Double value = plot.y().of(row);
      if (value != null) {
        values.add(100 * value);
      }
    }
    List<SpreadChart.Series> series = new ArrayList<>();
    for (Map.Entry<String, Map<String, List<Double>>> line : lines.entrySet()) {
      double[] mean = new double[xs.size()];
      double[] min = new double[xs.size()];
      double[] max = new double[xs.size()];
      Arrays.fill(mean, Double.NaN);
      Arrays.fill(min, Double.NaN);
      Arrays.fill(max, Double.NaN);
      for (int i = 0; i < xs.size(); i++) {
        List<Double> values = line.getValue().getOrDefault(xs.get(i), List.of());
        if (!values.isEmpty()) {
          mean[i] = SeedSummary.mean(values);
          min[i] = SeedSummary.min(values);
          max[i] = SeedSummary.max(values);
        }
      }
      series.add(new SpreadChart.Series(line.getKey(), mean, min, max));
    }
    return new SpreadChart(grid.name() + ": " + plot.y().label(), plot.x(), plot.y().label() + " (%)", xs, series,
        plot.width(), plot.height());
  }

  private static String lineName(List<String> columns, List<String> values, int xColumn) {
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      if (i != xColumn) {
        name.append(name.length() == 0 ? "" : ", ").append(columns.get(i)).append('=').append(values.get(i));
      }
    }
    return name.length() == 0 ? "mean over seeds" : name.toString();
  }
}
