package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What the pods of one step get instead of {@code spec.resources}' values; unset fields fall back to those. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StepResourcesSpec {

  @Min(0)
  @Max(16)
  @JsonPropertyDescription("nvidia.com/gpu per pod of this step")
  private Integer gpus;

  @ValidationRule(value = "self.matches('" + ResourcesSpec.QUANTITY + "')",
      message = "resources.steps.*.cpu must be a Kubernetes quantity such as 2 or 1500m")
  @Size(max = ResourcesSpec.MAX_QUANTITY_LENGTH)
  @JsonPropertyDescription("CPU request and limit per pod of this step; also the worker's thread count")
  private String cpu;

  @ValidationRule(value = "self.matches('" + ResourcesSpec.QUANTITY + "')",
      message = "resources.steps.*.memory must be a Kubernetes quantity such as 4Gi or 512Mi")
  @Size(max = ResourcesSpec.MAX_QUANTITY_LENGTH)
  @JsonPropertyDescription("Memory request and limit per pod of this step")
  private String memory;

  public StepResourcesSpec() {
  }

  public StepResourcesSpec(Integer gpus, String cpu, String memory) {
    this.gpus = gpus;
    this.cpu = cpu;
    this.memory = memory;
  }

  public Integer getGpus() { return gpus; }
  public void setGpus(Integer gpus) { this.gpus = gpus; }
  public String getCpu() { return cpu; }
  public void setCpu(String cpu) { this.cpu = cpu; }
  public String getMemory() { return memory; }
  public void setMemory(String memory) { this.memory = memory; }
}
