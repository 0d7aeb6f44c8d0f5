package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * What trains one training step and on how many pods. Left out, a step trains on {@code djl}, as
 * every run did before engines existed (so their specs and step hashes stay the same).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EngineSpec {

  public static final int MAX_NODES = 64;
  public static final int MAX_GPUS_PER_NODE = 16;
  /** The GPUs of each torch-ddp pod when gpusPerNode is left out. */
  public static final int DEFAULT_GPUS_PER_NODE = 1;

  @Required
  @JsonPropertyDescription("djl (the worker's trainer, one pod) or torch-ddp (spec.trainer under PyTorch"
      + " DistributedDataParallel across nodes pods)")
  private EngineType type;

  @Min(1)
  @Max(MAX_NODES)
  @JsonPropertyDescription("Pods that train together (torch-ddp; djl trains on one); default 1")
  private Integer nodes = 1;

  @Min(0)
  @Max(MAX_GPUS_PER_NODE)
  @JsonPropertyDescription("nvidia.com/gpu of each pod, one training process per GPU (0: one process on CPU);"
      + " torch-ddp only (djl takes spec.resources' GPUs); default 1")
  private Integer gpusPerNode;

  public EngineSpec() {
  }

  public EngineSpec(EngineType type, Integer nodes, Integer gpusPerNode) {
    this.type = type;
    this.nodes = nodes;
    this.gpusPerNode = gpusPerNode;
  }

  public EngineType getType() { return type; }
  public void setType(EngineType type) { this.type = type; }
  public Integer getNodes() { return nodes; }
  public void setNodes(Integer nodes) { this.nodes = nodes; }
  public Integer getGpusPerNode() { return gpusPerNode; }
  public void setGpusPerNode(Integer gpusPerNode) { this.gpusPerNode = gpusPerNode; }

  @JsonIgnore
  public boolean torchDdp() { return type == EngineType.TORCH_DDP; }

  public int nodesOrDefault() { return nodes == null ? 1 : nodes; }

  public int gpusPerNodeOrDefault() { return gpusPerNode == null ? DEFAULT_GPUS_PER_NODE : gpusPerNode; }
}
