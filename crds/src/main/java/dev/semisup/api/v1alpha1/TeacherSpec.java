package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The model trained on the labeled set whose scores rank the unlabeled pool. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TeacherSpec {

  @Required
  @JsonPropertyDescription("Model name: cnn-small, cnn-large, resnet18 or resnet50")
  private String architecture;

  @Pattern("^(s3|file)://.+")
  @JsonPropertyDescription("Parameters of an already trained teacher; when set, the teacher stage is skipped")
  private String checkpoint;

  private TrainingSpec training = new TrainingSpec();

  public String getArchitecture() { return architecture; }
  public void setArchitecture(String architecture) { this.architecture = architecture; }
  public String getCheckpoint() { return checkpoint; }
  public void setCheckpoint(String checkpoint) { this.checkpoint = checkpoint; }
  public TrainingSpec getTraining() { return training; }
  public void setTraining(TrainingSpec training) { this.training = training; }

  public boolean hasCheckpoint() { return checkpoint != null && !checkpoint.isBlank(); }
}
