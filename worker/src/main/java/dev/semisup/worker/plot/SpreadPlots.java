package dev.semisup.worker.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a {@link SpreadChart} as a PNG with XChart: each line the mean over seeds (with markers),
 * its min and max as thin dashed lines of the same colour, left out of the legend. Numeric x is
 * placed by value (an XY chart), named x evenly in the given order (a category chart). Shared by the
 * experiment command and the run report, so every plot of the project looks the same.
 */
public final class SpreadPlots {

  private static final Color[] COLOURS = {
      new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
      new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
  private static final BasicStroke DASHED = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
      new float[] {4f, 4f}, 0f);

  private SpreadPlots() {
  }

  /** Writes the chart to {@code png} (whole or not at all: drawn beside it, then moved). */
  public static void writePng(SpreadChart chart, Path png) throws IOException {
    Chart<?, ?> drawn = chart.numericX() ? byValue(chart) : byName(chart);
    Path partial = png.resolveSibling(png.getFileName() + ".partial.png");
    BitmapEncoder.saveBitmap(drawn, partial.toString(), BitmapEncoder.BitmapFormat.PNG);
    Files.move(partial, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Numeric x (K, P, a pool size): placed by value. */
  private static XYChart byValue(SpreadChart chart) {
    XYChart xy = new XYChartBuilder().width(chart.width()).height(chart.height())
        .title(chart.title()).xAxisTitle(chart.xLabel()).yAxisTitle(chart.yLabel()).build();
    style(xy.getStyler());
    double[] positions = chart.x().stream().mapToDouble(Double::parseDouble).toArray();
    for (int s = 0; s < chart.series().size(); s++) {
      SpreadChart.Series line = chart.series().get(s);
      Color colour = COLOURS[s % COLOURS.length];
      Points mean = Points.of(positions, line.mean());
      if (mean.isEmpty()) {
        continue;
      }
      XYSeries drawn = xy.addSeries(line.name(), mean.x(), mean.y());
      drawn.setLineColor(colour);
      drawn.setMarkerColor(colour);
      drawn.setMarker(SeriesMarkers.CIRCLE);
      addSpread(xy, line.name() + " (lowest seed)", Points.of(positions, line.min()), colour);
      addSpread(xy, line.name() + " (highest seed)", Points.of(positions, line.max()), colour);
    }
    return xy;
  }

  /** Named x (balanced / unbalanced, an architecture, a variant): evenly spaced, in the given order. */
  private static CategoryChart byName(SpreadChart chart) {
    CategoryChart categories = new CategoryChartBuilder().width(chart.width()).height(chart.height())
        .title(chart.title()).xAxisTitle(chart.xLabel()).yAxisTitle(chart.yLabel()).build();
    style(categories.getStyler());
    categories.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
    // Every series at the category's own position (not side by side, as bars would be).
    categories.getStyler().setOverlapped(true);
    for (int s = 0; s < chart.series().size(); s++) {
      SpreadChart.Series line = chart.series().get(s);
      Color colour = COLOURS[s % COLOURS.length];
      CategorySeries mean = categories.addSeries(line.name(), chart.x(), orNull(line.mean()));
      mean.setLineColor(colour);
      mean.setMarkerColor(colour);
      mean.setMarker(SeriesMarkers.CIRCLE);
      addSpread(categories, line.name() + " (lowest seed)", chart.x(), line.min(), colour);
      addSpread(categories, line.name() + " (highest seed)", chart.x(), line.max(), colour);
    }
    return categories;
  }

  private static void addSpread(CategoryChart categories, String name, List<String> x, double[] values, Color colour) {
    CategorySeries spread = categories.addSeries(name, x, orNull(values));
    spread.setLineColor(colour);
    spread.setLineStyle(DASHED);
    spread.setMarker(SeriesMarkers.NONE);
    spread.setShowInLegend(false);
  }

  private static void style(AxesChartStyler styler) {
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotGridLinesVisible(true);
  }

  /** A missing value (no run at that x) as a gap in the line. */
  private static List<Double> orNull(double[] values) {
    List<Double> boxed = new ArrayList<>();
    for (double value : values) {
      boxed.add(Double.isFinite(value) ? value : null);
    }
    return boxed;
  }

  private static void addSpread(XYChart xy, String name, Points points, Color colour) {
    if (points.isEmpty()) {
      return;
    }
    XYSeries spread = xy.addSeries(name, points.x(), points.y());
    spread.setLineColor(colour);
    spread.setLineStyle(DASHED);
    spread.setMarker(SeriesMarkers.NONE);
    spread.setShowInLegend(false);
  }

  /** The finite values of a line and their x positions (a setting with no run is left out). */
  private record Points(double[] x, double[] y) {

    static Points of(double[] positions, double[] values) {
      List<double[]> kept = new ArrayList<>();
      for (int i = 0; i < values.length; i++) {
        if (Double.isFinite(values[i])) {
          kept.add(new double[] {positions[i], values[i]});
        }
      }
      kept.sort((a, b) -> Double.compare(a[0], b[0]));
      return new Points(kept.stream().mapToDouble(p -> p[0]).toArray(), kept.stream().mapToDouble(p -> p[1]).toArray());
    }

    boolean isEmpty() {
      return x.length == 0;
    }
  }
}
