package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** The model pre-trained on the sampled index and then fine-tuned on the labeled set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StudentSpec {

  @Required
  @JsonPropertyDescription("Model name: cnn-small, cnn-large, resnet18 or resnet50")
  private String architecture;

  @JsonPropertyDescription("Pre-training on the sampled dataset index")
  private TrainingSpec training = new TrainingSpec();

  @JsonPropertyDescription("Fine-tuning on the labeled set, starting from the pre-trained student")
  private TrainingSpec finetuning = new TrainingSpec();

  @JsonPropertyDescription("Noise on the student during pre-training (Noisy Student); none by default, as in the paper")
  private NoiseSpec noise = new NoiseSpec();

  @JsonPropertyDescription("What pre-trains the student (the student step): djl (default) or torch-ddp")
  private EngineSpec engine;

  @JsonPropertyDescription("What fine-tunes the student (the finetune step): djl (default) or torch-ddp; torch-ddp"
      + " needs a torch-ddp student, whose TorchScript model it starts from")
  private EngineSpec finetuneEngine;

  public String getArchitecture() { return architecture; }
  public void setArchitecture(String architecture) { this.architecture = architecture; }
  public TrainingSpec getTraining() { return training; }
  public void setTraining(TrainingSpec training) { this.training = training; }
  public TrainingSpec getFinetuning() { return finetuning; }
  public void setFinetuning(TrainingSpec finetuning) { this.finetuning = finetuning; }
  public NoiseSpec getNoise() { return noise; }
  public void setNoise(NoiseSpec noise) { this.noise = noise; }
  public EngineSpec getEngine() { return engine; }
  public void setEngine(EngineSpec engine) { this.engine = engine; }
  public EngineSpec getFinetuneEngine() { return finetuneEngine; }
  public void setFinetuneEngine(EngineSpec finetuneEngine) { this.finetuneEngine = finetuneEngine; }
}
