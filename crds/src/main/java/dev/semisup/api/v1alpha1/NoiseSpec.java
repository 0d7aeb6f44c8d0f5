package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Noise applied to the student while it learns from pseudo-labels; beyond the paper, off by default. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NoiseSpec {

  @JsonPropertyDescription("Strong augmentation (random erasing, larger shifts, contrast jitter) instead of the standard crop and flip")
  private Boolean strongAugmentation = false;

  @Min(0)
  @Max(0.9)
  @JsonPropertyDescription("Dropout before the classifier")
  private Double dropout = 0.0;

  @Min(0)
  @Max(0.9)
  @JsonPropertyDescription("Probability of skipping a residual block (stochastic depth), at the last block")
  private Double stochasticDepth = 0.0;

  public Boolean getStrongAugmentation() { return strongAugmentation; }
  public void setStrongAugmentation(Boolean strongAugmentation) { this.strongAugmentation = strongAugmentation; }
  public Double getDropout() { return dropout; }
  public void setDropout(Double dropout) { this.dropout = dropout; }
  public Double getStochasticDepth() { return stochasticDepth; }
  public void setStochasticDepth(Double stochasticDepth) { this.stochasticDepth = stochasticDepth; }

  public boolean strong() { return Boolean.TRUE.equals(strongAugmentation); }
}
