package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The model whose scores rank the unlabeled pool: trained here on the labeled set, or given as a
 * checkpoint, either this project's parameters of {@code architecture} or a TorchScript file that
 * brings its own network (the paper's teacher is often one exported from PyTorch).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.architecture) != (has(self.format) && self.format == 'torchscript')",
    message = "teacher.architecture is required, except with teacher.format torchscript, whose file brings its own"
        + " network (leave architecture out then)")
@ValidationRule(value = "!has(self.format) || self.format != 'torchscript' || (has(self.checkpoint) && has(self.input))",
    message = "teacher.format torchscript needs teacher.checkpoint (the .pt file) and teacher.input (imageSize,"
        + " channels, mean, std)")
@ValidationRule(value = "!has(self.input) || (has(self.format) && self.format == 'torchscript')",
    message = "teacher.input applies to teacher.format torchscript only (a params teacher sees the run's data geometry)")
public class TeacherSpec {

  @JsonPropertyDescription("Model name: cnn-small, cnn-large, resnet18 or resnet50; left out for a torchscript teacher")
  private String architecture;

  @Pattern("^(s3|file)://.+")
  @JsonPropertyDescription("An already trained teacher (see format); when set, the teacher stage is skipped")
  private String checkpoint;

  @JsonPropertyDescription("What checkpoint holds: params (default; this project's parameters of architecture) or"
      + " torchscript (a torch.jit file returning logits, with its input declared in input)")
  private TeacherFormat format;

  @JsonPropertyDescription("The images a torchscript teacher takes: imageSize, channels, mean, std (no defaults)")
  private TeacherInputSpec input;

  @JsonPropertyDescription("Training of the teacher on the labeled set (not with a checkpoint)")
  private TrainingSpec training = new TrainingSpec();

  @JsonPropertyDescription("What trains the teacher: djl (default) or torch-ddp; only when it is trained here")
  private EngineSpec engine;

  public String getArchitecture() { return architecture; }
  public void setArchitecture(String architecture) { this.architecture = architecture; }
  public String getCheckpoint() { return checkpoint; }
  public void setCheckpoint(String checkpoint) { this.checkpoint = checkpoint; }
  public TeacherFormat getFormat() { return format; }
  public void setFormat(TeacherFormat format) { this.format = format; }
  public TeacherInputSpec getInput() { return input; }
  public void setInput(TeacherInputSpec input) { this.input = input; }
  public TrainingSpec getTraining() { return training; }
  public void setTraining(TrainingSpec training) { this.training = training; }
  public EngineSpec getEngine() { return engine; }
  public void setEngine(EngineSpec engine) { this.engine = engine; }

  public boolean hasCheckpoint() { return checkpoint != null && !checkpoint.isBlank(); }

  /** Whether the checkpoint is a TorchScript file (format left out: this project's parameters). */
  @JsonIgnore
  public boolean isTorchScript() { return format == TeacherFormat.TORCHSCRIPT; }
}
