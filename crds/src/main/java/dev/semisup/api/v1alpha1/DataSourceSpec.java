package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One set of images. A uri ending in '/' names every object under it, read in sorted order. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataSourceSpec {

  @Required
  @Pattern("^(s3|file)://.+")
  @JsonPropertyDescription("s3://bucket/key or file:///path; a trailing / means every file under it")
  private String uri;

  @Required
  @JsonPropertyDescription("idx, cifar, tar or folder")
  private DataFormat format;

  @Pattern("^(s3|file)://.+")
  @JsonPropertyDescription("idx only: the labels file (idx1); optional for the unlabeled pool")
  private String labelsUri;

  @Min(1)
  @JsonPropertyDescription("Labeled set only: keep this many images per class, chosen with seed")
  private Integer perClass;

  @JsonPropertyDescription("Seed of the perClass choice")
  private Long seed = 0L;

  @Min(1)
  @JsonPropertyDescription("Read only the first N images (small trials)")
  private Integer limit;

  @JsonPropertyDescription("Unlabeled pool only: leave out the images chosen for the labeled set (same uri)")
  private Boolean excludeLabeled = false;

  public String getUri() { return uri; }
  public void setUri(String uri) { this.uri = uri; }
  public DataFormat getFormat() { return format; }
  public void setFormat(DataFormat format) { this.format = format; }
  public String getLabelsUri() { return labelsUri; }
  public void setLabelsUri(String labelsUri) { this.labelsUri = labelsUri; }
  public Integer getPerClass() { return perClass; }
  public void setPerClass(Integer perClass) { this.perClass = perClass; }
  public Long getSeed() { return seed; }
  public void setSeed(Long seed) { this.seed = seed; }
  public Integer getLimit() { return limit; }
  public void setLimit(Integer limit) { this.limit = limit; }
  public Boolean getExcludeLabeled() { return excludeLabeled; }
  public void setExcludeLabeled(Boolean excludeLabeled) { this.excludeLabeled = excludeLabeled; }

  public boolean excludesLabeled() { return Boolean.TRUE.equals(excludeLabeled); }
}
