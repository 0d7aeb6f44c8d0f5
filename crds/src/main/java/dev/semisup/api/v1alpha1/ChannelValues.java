package dev.semisup.api.v1alpha1;

import java.util.List;

/** Per-channel values given as a list: one value stands for every channel, a shorter list repeats its last. */
final class ChannelValues {

  private ChannelValues() {
  }

  /** One value per channel from a non-empty list. */
  static double[] perChannel(List<Double> values, int channels) {
    double[] out = new double[channels];
    for (int c = 0; c < channels; c++) {
      out[c] = values.get(Math.min(c, values.size() - 1));
    }
    return out;
  }
}
