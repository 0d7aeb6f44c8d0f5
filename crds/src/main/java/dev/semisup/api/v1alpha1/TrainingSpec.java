package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** SGD with momentum over a number of epochs; the same knobs for every training stage. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingSpec {

  @Min(1)
  @JsonPropertyDescription("Passes over the training data")
  private Integer epochs = 10;

  @Min(1)
  @Max(65536)
  @JsonPropertyDescription("Images per SGD step")
  private Integer batchSize = 64;

  @Min(0)
  @JsonPropertyDescription("Peak learning rate")
  private Double learningRate = 0.05;

  @JsonPropertyDescription("cosine, step (x0.1 at 50% and 75%) or constant; each with a linear warm-up epoch")
  private LearningRateSchedule schedule = LearningRateSchedule.COSINE;

  @Min(0)
  @JsonPropertyDescription("L2 weight decay of SGD")
  private Double weightDecay = 5e-4;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("SGD momentum")
  private Double momentum = 0.9;

  @JsonPropertyDescription("Seed of weights, shuffling and augmentation: the same seed gives the same model")
  private Long seed = 1L;

  @Min(1)
  @JsonPropertyDescription("Examples held for shuffling when the training data streams from shards: memory is "
      + "O(shuffleBuffer + batchSize), not O(data set)")
  private Integer shuffleBuffer = 10_000;

  @Min(0)
  @JsonPropertyDescription("Also checkpoint every this many steps inside an epoch (0: at epoch ends only); a "
      + "restarted pod resumes from the newest checkpoint and ends with the same parameters")
  private Integer checkpointEverySteps = 500;

  @Min(0)
  @JsonPropertyDescription("A labeled set whose decoded pixels fit in this many MiB is held in memory and shuffled "
      + "fully every epoch; a larger one streams through the shuffle buffer")
  private Integer cacheLimitMiB = 1024;

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
  public Integer getShuffleBuffer() { return shuffleBuffer; }
  public void setShuffleBuffer(Integer shuffleBuffer) { this.shuffleBuffer = shuffleBuffer; }
  public Integer getCheckpointEverySteps() { return checkpointEverySteps; }
  public void setCheckpointEverySteps(Integer checkpointEverySteps) { this.checkpointEverySteps = checkpointEverySteps; }
  public Integer getCacheLimitMiB() { return cacheLimitMiB; }
  public void setCacheLimitMiB(Integer cacheLimitMiB) { this.cacheLimitMiB = cacheLimitMiB; }
}
