package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What trains a step: both honour one contract, so the steps after it do not care which. */
public enum EngineType {
  /** The worker image's own trainer, one pod. */
  @JsonProperty("djl") DJL,
  /**
   * A PyTorch trainer ({@code spec.trainer}) under DistributedDataParallel, on {@code nodes} pods of
   * {@code gpusPerNode} processes each, writing a TorchScript model.
   */
  @JsonProperty("torch-ddp") TORCH_DDP;

  public String wireName() {
    return this == DJL ? "djl" : "torch-ddp";
  }
}
