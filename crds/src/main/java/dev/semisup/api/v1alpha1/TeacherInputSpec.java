package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * The images a TorchScript teacher was exported for: the pool is read at this geometry (resized
 * and centre-cropped, grey copied to three channels or colour reduced to grey) and normalised as
 * {@code (x/255 - mean[c]) / std[c]}, whatever the run's own {@code data} geometry, which the
 * student keeps. Nothing here has a default: a teacher fed images it was not trained on scores
 * them without any error, only wrongly.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "size(self.mean) == 1 || size(self.mean) == self.channels",
    message = "teacher.input.mean needs 1 value or one per channel")
@ValidationRule(value = "size(self.std) == 1 || size(self.std) == self.channels",
    message = "teacher.input.std needs 1 value or one per channel")
public class TeacherInputSpec {

  @Required
  @Min(GeometryLimits.MIN_IMAGE_SIZE)
  @Max(GeometryLimits.MAX_IMAGE_SIZE)
  @JsonPropertyDescription("Side in pixels of the square images the TorchScript teacher takes (e.g. 224)")
  private Integer imageSize;

  @Required
  @ValidationRule(value = GeometryLimits.CHANNELS_RULE, message = "teacher.input." + GeometryLimits.CHANNELS_MESSAGE)
  @JsonPropertyDescription("Colour channels the TorchScript teacher takes: 1 or 3")
  private Integer channels;

  @Required
  @Size(min = 1, max = 3)
  @JsonPropertyDescription("Per-channel mean of pixel values in [0,1] the teacher was trained with, each in ["
      + GeometryLimits.MIN_MEAN + ", " + GeometryLimits.MAX_MEAN + "] (ImageNet: 0.485, 0.456, 0.406)")
  private List<Double> mean;

  @Required
  @Size(min = 1, max = 3)
  @JsonPropertyDescription("Per-channel standard deviation of pixel values in [0,1], each in ["
      + GeometryLimits.MIN_STD + ", " + GeometryLimits.MAX_STD + "] (ImageNet: 0.229, 0.224, 0.225)")
  private List<Double> std;

  public Integer getImageSize() { return imageSize; }
  public void setImageSize(Integer imageSize) { this.imageSize = imageSize; }
  public Integer getChannels() { return channels; }
  public void setChannels(Integer channels) { this.channels = channels; }
  public List<Double> getMean() { return mean; }
  public void setMean(List<Double> mean) { this.mean = mean; }
  public List<Double> getStd() { return std; }
  public void setStd(List<Double> std) { this.std = std; }

  /** Mean per channel (one value given: the same for every channel). Call on a validated spec. */
  public double[] resolvedMean() {
    return ChannelValues.perChannel(mean, channels);
  }

  /** Std per channel (one value given: the same for every channel). Call on a validated spec. */
  public double[] resolvedStd() {
    return ChannelValues.perChannel(std, channels);
  }
}
