package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** The three sets and the image geometry every model of the run sees. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataSpec {

  /** The share of the pool that may be skipped when {@code maxSkippedFraction} is not set. */
  public static final double DEFAULT_MAX_SKIPPED_FRACTION = 0.05;

  /** Mean and std when the spec gives none: 0.5 centres pixels in [0,1], 0.25 maps them to about [-2,2]. */
  public static final double DEFAULT_MEAN = 0.5;
  public static final double DEFAULT_STD = 0.25;

  @Required
  @Min(2)
  @JsonPropertyDescription("Number of classes of the labeled set")
  private Integer classes;

  @Min(GeometryLimits.MIN_IMAGE_SIZE)
  @Max(GeometryLimits.MAX_IMAGE_SIZE)
  @JsonPropertyDescription("Side in pixels images are resized to; default from the labeled format (idx 28, cifar 32, else 224)")
  private Integer imageSize;

  @ValidationRule(value = GeometryLimits.CHANNELS_RULE, message = "data." + GeometryLimits.CHANNELS_MESSAGE)
  @JsonPropertyDescription("Colour channels the model sees: 1 or 3; default from the labeled format (idx 1, else 3)")
  private Integer channels;

  @JsonPropertyDescription("Per-channel mean of pixel values in [0,1], subtracted before the model: 1 value or one per"
      + " channel, each in [" + GeometryLimits.MIN_MEAN + ", " + GeometryLimits.MAX_MEAN + "]; default " + DEFAULT_MEAN)
  private List<Double> mean;

  @JsonPropertyDescription("Per-channel standard deviation of pixel values in [0,1]: 1 value or one per channel, each"
      + " in [" + GeometryLimits.MIN_STD + ", " + GeometryLimits.MAX_STD + "]; default " + DEFAULT_STD)
  private List<Double> std;

  @JsonPropertyDescription("Whether a horizontal flip keeps an image's class (true for clothes and photos, false for digits)")
  private Boolean horizontalFlip = true;

  @Required
  @JsonPropertyDescription("The labeled set: the teacher trains on it, the student is fine-tuned on it")
  private DataSourceSpec labeled;

  @Required
  @JsonPropertyDescription("The unlabeled pool the teacher scores; its top-K images per class become the sampled index")
  private DataSourceSpec unlabeled;

  @Required
  @JsonPropertyDescription("Held-out labeled images every training step reports its accuracy on")
  private DataSourceSpec validation;

  @Min(1)
  @JsonPropertyDescription("Training steps validate after every this many epochs, and always after the last "
      + "(default 1: every epoch). A validation set much larger than the labeled set costs more each epoch than "
      + "the epoch itself; the models trained are the same whatever the value")
  private Integer validateEveryEpochs;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("The run fails (naming the count) when more than this share of the unlabeled pool cannot be"
      + " read (corrupt, oversized or duplicate images, skipped); default 0.05")
  private Double maxSkippedFraction;

  public Integer getClasses() { return classes; }
  public void setClasses(Integer classes) { this.classes = classes; }
  public Integer getImageSize() { return imageSize; }
  public void setImageSize(Integer imageSize) { this.imageSize = imageSize; }
  public Integer getChannels() { return channels; }
  public void setChannels(Integer channels) { this.channels = channels; }
  public List<Double> getMean() { return mean; }
  public void setMean(List<Double> mean) { this.mean = mean; }
  public List<Double> getStd() { return std; }
  public void setStd(List<Double> std) { this.std = std; }
  public Boolean getHorizontalFlip() { return horizontalFlip; }
  public void setHorizontalFlip(Boolean horizontalFlip) { this.horizontalFlip = horizontalFlip; }
  public DataSourceSpec getLabeled() { return labeled; }
  public void setLabeled(DataSourceSpec labeled) { this.labeled = labeled; }
  public DataSourceSpec getUnlabeled() { return unlabeled; }
  public void setUnlabeled(DataSourceSpec unlabeled) { this.unlabeled = unlabeled; }
  public DataSourceSpec getValidation() { return validation; }
  public void setValidation(DataSourceSpec validation) { this.validation = validation; }
  public Integer getValidateEveryEpochs() { return validateEveryEpochs; }
  public void setValidateEveryEpochs(Integer validateEveryEpochs) { this.validateEveryEpochs = validateEveryEpochs; }
  public Double getMaxSkippedFraction() { return maxSkippedFraction; }
  public void setMaxSkippedFraction(Double maxSkippedFraction) { this.maxSkippedFraction = maxSkippedFraction; }

  /**
   * The share of the pool that may be skipped, the default when unset (left unset rather than
   * defaulted in the field, so a spec that does not name it keeps its hash).
   */
  public double skippedFractionLimit() {
    return maxSkippedFraction == null ? DEFAULT_MAX_SKIPPED_FRACTION : maxSkippedFraction;
  }

  /** Whether a training step of {@code epochs} epochs validates after epoch {@code epoch} (1-based). */
  public boolean validatesAfter(int epoch, int epochs) {
    int every = validateEveryEpochs == null ? 1 : validateEveryEpochs;
    return epoch % every == 0 || epoch >= epochs;
  }

  public int resolvedImageSize() {
    if (imageSize != null) {
      return imageSize;
    }
    DataFormat format = labeled == null ? null : labeled.getFormat();
    if (format == DataFormat.IDX) {
      return 28;
    }
    return format == DataFormat.CIFAR ? 32 : 224;
  }

  public int resolvedChannels() {
    if (channels != null) {
      return channels;
    }
    return labeled != null && labeled.getFormat() == DataFormat.IDX ? 1 : 3;
  }

  /** Mean per channel, {@link #DEFAULT_MEAN} when the spec gives none. */
  public double[] resolvedMean() {
    return perChannel(mean, DEFAULT_MEAN);
  }

  /** Std per channel, {@link #DEFAULT_STD} when the spec gives none. */
  public double[] resolvedStd() {
    return perChannel(std, DEFAULT_STD);
  }

  public boolean flipsKeepClass() { return !Boolean.FALSE.equals(horizontalFlip); }

  private double[] perChannel(List<Double> values, double fallback) {
    return ChannelValues.perChannel(values == null || values.isEmpty() ? List.of(fallback) : values, resolvedChannels());
  }
}
