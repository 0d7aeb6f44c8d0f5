package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum LearningRateSchedule {
  @JsonProperty("cosine") COSINE,
  @JsonProperty("step") STEP,
  @JsonProperty("constant") CONSTANT
}
