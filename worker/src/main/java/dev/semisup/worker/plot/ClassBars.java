package dev.semisup.worker.plot;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Per-class plots of the sampled index as PNGs: entries per class, pseudo-label precision per
 * class, and each class's score distribution (10th percentile, median, 90th percentile). Class
 * names label the x axis up to {@link #NAMED_CLASSES} classes; beyond that only positions do.
 */
public final class ClassBars {

  /** More classes than this and their names would overprint: the axis shows positions instead. */
  public static final int NAMED_CLASSES = 30;
  private static final Color BARS = new Color(0x1f77b4);
  private static final Color PRECISION = new Color(0x2ca02c);

  private ClassBars() {
  }

  /** Index entries per class. */
  public static byte[] entries(List<String> classes, int[] counts, int width, int height) throws IOException {
    List<Double> values = new ArrayList<>();
    for (int count : counts) {
      values.add((double) count);
    }
    return bars("Index entries per class", "entries", classes, values, BARS, width, height);
  }

  /** Share of each class's entries whose pseudo-label is the hidden label, in %; null where a class has none. */
  public static byte[] precision(List<String> classes, Double[] precision, int width, int height) throws IOException {
    List<Double> values = new ArrayList<>();
    for (Double p : precision) {
      values.add(p == null ? 0.0 : 100 * p);
    }
    return bars("Pseudo-label precision per class (pool's hidden labels)", "precision (%)", classes, values,
        PRECISION, width, height);
  }

  /** Score spread per class: p10, median and p90 of the teacher's scores (NaN where a class has no entry). */
  public static byte[] scores(List<String> classes, double[] p10, double[] median, double[] p90, int width, int height)
      throws IOException {
    XYChart chart = new XYChartBuilder().width(width).height(height)
        .title("Teacher's score per class (10th percentile, median, 90th percentile)")
        .xAxisTitle(classes.size() <= NAMED_CLASSES ? "class" : "class index").yAxisTitle("softmax score").build();
    style(chart.getStyler());
    chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(1.0);
    if (!anyFinite(p10) && !anyFinite(median) && !anyFinite(p90)) {
      // An index with no entry at all: XChart 3.8.8 never returns from laying out an empty chart's
      // named x axis, so the empty chart gets a plain axis over the classes' positions.
      chart.getStyler().setXAxisMin(0.0);
      chart.getStyler().setXAxisMax((double) Math.max(1, classes.size() - 1));
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
    if (classes.size() <= NAMED_CLASSES) {
      chart.setCustomXAxisTickLabelsFormatter(x -> {
        int i = (int) Math.round(x);
        return i >= 0 && i < classes.size() && Math.abs(x - i) < 1e-6 ? classes.get(i) : "";
      });
      chart.getStyler().setXAxisTickMarkSpacingHint(Math.max(20, width / Math.max(1, classes.size()) - 5));
    }
    addScores(chart, "90th percentile", p90, new Color(0x9ecae1), SeriesMarkers.TRIANGLE_UP);
    addScores(chart, "median", median, new Color(0x08519c), SeriesMarkers.CIRCLE);
    addScores(chart, "10th percentile", p10, new Color(0xfd8d3c), SeriesMarkers.TRIANGLE_DOWN);
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  private static boolean anyFinite(double[] values) {
    for (double value : values) {
      if (Double.isFinite(value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * One point per class, null (nothing drawn) where a class has no entry. Every class keeps its x
   * position: XChart 3.8.8 never returns from laying out the named x axis when a class inside the
   * range is missing from the series (an unbalanced index with an empty class hung the report).
   */
  private static void addScores(XYChart chart, String name, double[] values, Color colour,
      org.knowm.xchart.style.markers.Marker marker) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    boolean any = false;
    for (int i = 0; i < values.length; i++) {
      x.add((double) i);
      boolean finite = Double.isFinite(values[i]);
      y.add(finite ? values[i] : null);
      any |= finite;
    }
    if (!any) {
      return;
    }
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(marker);
    series.setMarkerColor(colour);
  }

  private static byte[] bars(String title, String yLabel, List<String> classes, List<Double> values, Color colour,
      int width, int height) throws IOException {
    boolean named = classes.size() <= NAMED_CLASSES;
    CategoryChart chart = new CategoryChartBuilder().width(width).height(height).title(title)
        .xAxisTitle(named ? "class" : "class index").yAxisTitle(yLabel).build();
    style(chart.getStyler());
    chart.getStyler().setLegendVisible(false);
    List<Object> x = new ArrayList<>();
    for (int i = 0; i < classes.size(); i++) {
      x.add(named ? classes.get(i) : Integer.toString(i));
    }
    if (!named) {
      chart.getStyler().setXAxisTicksVisible(false);
      chart.getStyler().setAvailableSpaceFill(1.0);
    }
    CategorySeries series = chart.addSeries(yLabel, x, values);
    series.setFillColor(colour);
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  private static void style(AxesChartStyler styler) {
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotGridLinesVisible(true);
  }
}
