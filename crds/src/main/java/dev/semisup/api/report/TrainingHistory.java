package dev.semisup.api.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * history.json of a training step: one entry per finished epoch, rewritten after each, so the run
 * report can draw training curves and a resumed step keeps the epochs of its earlier attempts.
 *
 * @param step   step id
 * @param epochs the finished epochs, in order, 1-based
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TrainingHistory(String step, List<Epoch> epochs) {

  public TrainingHistory {
    epochs = epochs == null ? List.of() : List.copyOf(epochs);
  }

  /**
   * One finished epoch.
   *
   * @param epoch              1-based
   * @param loss               mean training loss over the epoch
   * @param validationAccuracy top-1 accuracy on the validation set after the epoch; null for an
   *                           epoch not validated ({@code spec.data.validateEveryEpochs})
   * @param validationLoss     mean validation loss after the epoch; null as above
   * @param finishedAt         ISO-8601 instant the epoch (with its validation) finished
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Epoch(int epoch, double loss, Double validationAccuracy, Double validationLoss, String finishedAt) {

    public boolean validated() {
      return validationAccuracy != null;
    }
  }

  /**
   * This history with {@code next} as epoch {@code next.epoch()}: epochs from it on are dropped
   * first, since a step resumed from an earlier checkpoint trains them again (to the same values).
   */
  public TrainingHistory with(Epoch next) {
    List<Epoch> kept = new ArrayList<>();
    for (Epoch done : epochs) {
      if (done.epoch() < next.epoch()) {
        kept.add(done);
      }
    }
    kept.add(next);
    return new TrainingHistory(step, kept);
  }

  /** The entry of epoch {@code epoch}, or null. */
  public Epoch epoch(int epoch) {
    return epochs.stream().filter(e -> e.epoch() == epoch).findFirst().orElse(null);
  }
}
