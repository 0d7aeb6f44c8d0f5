package dev.semisup.worker.plot;

import dev.semisup.api.report.TrainingHistory;
import java.awt.Color;
import java.io.IOException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A training step's curves as a PNG: mean training loss per epoch on the left axis, validation
 * accuracy after each epoch on the right, from its history.json.
 */
public final class TrainingCurves {

  private static final Color LOSS = new Color(0xd62728);
  private static final Color ACCURACY = new Color(0x1f77b4);

  private TrainingCurves() {
  }

  public static byte[] png(TrainingHistory history, int width, int height) throws IOException {
    if (history.epochs().isEmpty()) {
      throw new IllegalArgumentException(history.step() + ": no epoch finished, nothing to draw");
    }
    XYChart chart = new XYChartBuilder().width(width).height(height)
        .title(history.step()).xAxisTitle("epoch").yAxisTitle("training loss").build();
    Styler styler = chart.getStyler();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    chart.getStyler().setYAxisDecimalPattern("0.###");
    styler.setToolTipsEnabled(false);
    int n = history.epochs().size();
    double[] epochs = new double[n];
    double[] loss = new double[n];
    double[] accuracy = new double[n];
    for (int i = 0; i < n; i++) {
      TrainingHistory.Epoch epoch = history.epochs().get(i);
      epochs[i] = epoch.epoch();
      loss[i] = epoch.loss();
      accuracy[i] = 100 * epoch.validationAccuracy();
    }
    XYSeries lossSeries = chart.addSeries("training loss", epochs, loss);
    lossSeries.setLineColor(LOSS);
    lossSeries.setMarkerColor(LOSS);
    lossSeries.setMarker(SeriesMarkers.CIRCLE);
    XYSeries accuracySeries = chart.addSeries("validation accuracy (%)", epochs, accuracy);
    accuracySeries.setYAxisGroup(1);
    accuracySeries.setLineColor(ACCURACY);
    accuracySeries.setMarkerColor(ACCURACY);
    accuracySeries.setMarker(SeriesMarkers.DIAMOND);
    chart.setYAxisGroupTitle(1, "validation accuracy (%)");
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }
}
