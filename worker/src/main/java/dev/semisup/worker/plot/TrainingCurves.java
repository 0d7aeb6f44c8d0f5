package dev.semisup.worker.plot;

import dev.semisup.api.report.TrainingHistory;
import java.awt.Color;
import java.io.IOException;
import java.util.List;
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
    List<TrainingHistory.Epoch> all = history.epochs();
    // Epochs not validated (spec.data.validateEveryEpochs) have a loss point and no accuracy point.
    List<TrainingHistory.Epoch> validated = all.stream().filter(TrainingHistory.Epoch::validated).toList();
    double[] epochs = all.stream().mapToDouble(TrainingHistory.Epoch::epoch).toArray();
    double[] loss = all.stream().mapToDouble(TrainingHistory.Epoch::loss).toArray();
    double[] validatedEpochs = validated.stream().mapToDouble(TrainingHistory.Epoch::epoch).toArray();
    double[] accuracy = validated.stream().mapToDouble(epoch -> 100 * epoch.validationAccuracy()).toArray();
    XYSeries lossSeries = chart.addSeries("training loss", epochs, loss);
    lossSeries.setLineColor(LOSS);
    lossSeries.setMarkerColor(LOSS);
    lossSeries.setMarker(SeriesMarkers.CIRCLE);
    if (validated.isEmpty()) {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
    XYSeries accuracySeries = chart.addSeries("validation accuracy (%)", validatedEpochs, accuracy);
    accuracySeries.setYAxisGroup(1);
    accuracySeries.setLineColor(ACCURACY);
    accuracySeries.setMarkerColor(ACCURACY);
    accuracySeries.setMarker(SeriesMarkers.DIAMOND);
    chart.setYAxisGroupTitle(1, "validation accuracy (%)");
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }
}
