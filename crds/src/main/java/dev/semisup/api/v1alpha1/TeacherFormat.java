package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What {@code teacher.checkpoint} holds. */
public enum TeacherFormat {
  /** Parameters of {@code teacher.architecture} as this project writes them (a run's model.params). */
  @JsonProperty("params") PARAMS,
  /**
   * A TorchScript file ({@code torch.jit.trace} or {@code torch.jit.script}, then {@code save}) that
   * maps a batch of normalised images to logits; it brings its own network, and its input is
   * declared in {@code teacher.input}.
   */
  @JsonProperty("torchscript") TORCHSCRIPT;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
