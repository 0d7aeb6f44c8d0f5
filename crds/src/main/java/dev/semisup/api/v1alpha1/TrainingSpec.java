package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** SGD with momentum over a number of epochs; the same knobs for every training stage. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingSpec {

  @Min(1)
  private Integer epochs = 10;

  @Min(1)
  @Max(65536)
  private Integer batchSize = 64;

  @Min(0)
  @JsonPropertyDescription("Peak learning rate")
  private Double learningRate = 0.05;

  @JsonPropertyDescription("cosine, step (x0.1 at 50% and 75%) or constant; each with a linear warm-up epoch")
  private LearningRateSchedule schedule = LearningRateSchedule.COSINE;

  @Min(0)
  private Double weightDecay = 5e-4;

  @Min(0)
  @Max(1)
  private Double momentum = 0.9;

  @JsonPropertyDescription("Seed of weights, shuffling and augmentation: the same seed gives the same model")
  private Long seed = 1L;

  public Integer getEpochs() { return epochs; }
  public void setEpochs(Integer epochs) { this.epochs = epochs; }
  public Integer getBatchSize() { return batchSize; }
  public void setBatchSize(Integer batchSize) { this.batchSize = batchSize; }
  public Double getLearningRate() { return learningRate; }
  public void setLearningRate(Double learningRate) { this.learningRate = learningRate; }
  public LearningRateSchedule getSchedule() { return schedule; }
  public void setSchedule(LearningRateSchedule schedule) { this.schedule = schedule; }
  public Double getWeightDecay() { return weightDecay; }
  public void setWeightDecay(Double weightDecay) { this.weightDecay = weightDecay; }
  public Double getMomentum() { return momentum; }
  public void setMomentum(Double momentum) { this.momentum = momentum; }
  public Long getSeed() { return seed; }
  public void setSeed(Long seed) { this.seed = seed; }
}
