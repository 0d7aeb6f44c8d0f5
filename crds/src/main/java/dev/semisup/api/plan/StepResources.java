package dev.semisup.api.plan;

import dev.semisup.api.v1alpha1.ResourcesSpec;
import dev.semisup.api.v1alpha1.StepResourcesSpec;

/**
 * The GPUs, CPU and memory of one step's pods: a pure function of {@code spec.resources}, used by
 * the operator's Job factory. A field of {@code resources.steps.<stage>} wins; otherwise the
 * run-wide value applies, except that select and pack run no model and so ask for no GPU unless
 * their own entry says so (a CPU-only Job must not hold a GPU while it merges or copies bytes).
 *
 * @param gpus   nvidia.com/gpu per pod, 0 for none
 * @param cpu    a Kubernetes quantity, or null for none
 * @param memory a Kubernetes quantity, or null for none
 */
public record StepResources(int gpus, String cpu, String memory) {

  public static StepResources of(ResourcesSpec resources, Stage stage) {
    ResourcesSpec base = resources == null ? new ResourcesSpec() : resources;
    StepResourcesSpec own = base.getSteps() == null ? null : base.getSteps().get(stage.wireName());
    int runWideGpus = base.getGpus() == null ? 0 : base.getGpus();
    int gpus = own != null && own.getGpus() != null ? own.getGpus() : runsModel(stage) ? runWideGpus : 0;
    String cpu = own != null && own.getCpu() != null ? own.getCpu() : base.getCpu();
    String memory = own != null && own.getMemory() != null ? own.getMemory() : base.getMemory();
    return new StepResources(gpus, cpu, memory);
  }

  private static boolean runsModel(Stage stage) {
    return stage != Stage.SELECT && stage != Stage.PACK;
  }
}
