package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Accuracies are fractions in [0,1] of the validation set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunMetrics {

  @JsonPropertyDescription("Teacher's validation accuracy")
  private Double teacherAccuracy;

  @JsonPropertyDescription("Student after pre-training on the sampled index, before fine-tuning")
  private Double studentAccuracy;

  @JsonPropertyDescription("Fine-tuned student's validation accuracy: the run's result")
  private Double finalAccuracy;

  @JsonPropertyDescription("Entries of the sampled dataset index")
  private Long sampledImages;

  @JsonPropertyDescription("Share of pseudo-labels equal to the pool's hidden label, where known")
  private Double pseudoLabelPrecision;

  public Double getTeacherAccuracy() { return teacherAccuracy; }
  public void setTeacherAccuracy(Double teacherAccuracy) { this.teacherAccuracy = teacherAccuracy; }
  public Double getStudentAccuracy() { return studentAccuracy; }
  public void setStudentAccuracy(Double studentAccuracy) { this.studentAccuracy = studentAccuracy; }
  public Double getFinalAccuracy() { return finalAccuracy; }
  public void setFinalAccuracy(Double finalAccuracy) { this.finalAccuracy = finalAccuracy; }
  public Long getSampledImages() { return sampledImages; }
  public void setSampledImages(Long sampledImages) { this.sampledImages = sampledImages; }
  public Double getPseudoLabelPrecision() { return pseudoLabelPrecision; }
  public void setPseudoLabelPrecision(Double pseudoLabelPrecision) { this.pseudoLabelPrecision = pseudoLabelPrecision; }
}
