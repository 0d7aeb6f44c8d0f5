package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What a user asks for. Defaults live in the field initialisers of these types, nowhere else.
 *
 * <p>The parts fixed at start cannot change: each has a rule {@code self == oldSelf}, which the
 * API server runs only when the field is there before and after the edit, so adding or removing
 * an optional one is refused by the rule on the spec itself.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.storage) == has(oldSelf.storage) && has(self.sampling) == has(oldSelf.sampling)"
    + " && has(self.rounds) == has(oldSelf.rounds)",
    message = "storage, sampling and rounds cannot be added or removed after the run started")
public class SemiSupervisedRunSpec {

  /** The most rounds: the last round's step ids (finetune-r10) bound the run name's length (StepJobName). */
  public static final int MAX_ROUNDS = 10;

  @JsonPropertyDescription("Object store that holds the run's checkpoints, candidates, sampled index and report")
  @ValidationRule(value = "self == oldSelf", message = "storage cannot change after the run started")
  private StorageSpec storage = new StorageSpec();

  @Required
  @JsonPropertyDescription("Labeled, unlabeled and validation sets")
  @ValidationRule(value = "self == oldSelf", message = "data cannot change after the run started")
  private DataSpec data;

  @Required
  @JsonPropertyDescription("The model trained on the labeled set that labels the unlabeled pool")
  @ValidationRule(value = "self == oldSelf", message = "teacher cannot change after the run started")
  private TeacherSpec teacher;

  @Required
  @JsonPropertyDescription("The model pre-trained on the sampled index, then fine-tuned on the labeled set")
  @ValidationRule(value = "self == oldSelf", message = "student cannot change after the run started")
  private StudentSpec student;

  @JsonPropertyDescription("How the sampled dataset index is built from the teacher's scores")
  @ValidationRule(value = "self == oldSelf", message = "sampling cannot change after the run started")
  private SamplingSpec sampling = new SamplingSpec();

  @Min(1)
  @Max(MAX_ROUNDS)
  @JsonPropertyDescription("Rounds of teacher -> student; from round 2 on, the fine-tuned student is the teacher")
  @ValidationRule(value = "self == oldSelf", message = "rounds cannot change after the run started")
  private Integer rounds = 1;

  @JsonPropertyDescription("Pods: image, GPUs, CPU and memory, scheduling, retries")
  private ResourcesSpec resources = new ResourcesSpec();

  @JsonPropertyDescription("The container of the torch-ddp training steps: image and command (both optional)")
  private TrainerSpec trainer;

  @JsonPropertyDescription("While true no new stage Job starts; the running one finishes")
  private Boolean suspend = false;

  public StorageSpec getStorage() { return storage; }
  public void setStorage(StorageSpec storage) { this.storage = storage; }
  public DataSpec getData() { return data; }
  public void setData(DataSpec data) { this.data = data; }
  public TeacherSpec getTeacher() { return teacher; }
  public void setTeacher(TeacherSpec teacher) { this.teacher = teacher; }
  public StudentSpec getStudent() { return student; }
  public void setStudent(StudentSpec student) { this.student = student; }
  public SamplingSpec getSampling() { return sampling; }
  public void setSampling(SamplingSpec sampling) { this.sampling = sampling; }
  public Integer getRounds() { return rounds; }
  public void setRounds(Integer rounds) { this.rounds = rounds; }
  public ResourcesSpec getResources() { return resources; }
  public void setResources(ResourcesSpec resources) { this.resources = resources; }
  public TrainerSpec getTrainer() { return trainer; }
  public void setTrainer(TrainerSpec trainer) { this.trainer = trainer; }
  public Boolean getSuspend() { return suspend; }
  public void setSuspend(Boolean suspend) { this.suspend = suspend; }

  public boolean suspended() { return Boolean.TRUE.equals(suspend); }
}
