package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the sampled index is drawn from the teacher's scores. The paper's choice is balanced: the
 * top-K images of every class. Unbalanced is its ablation: one global score threshold that keeps
 * the K x classes best (image, class) entries over all classes, so a class the teacher is sure of
 * takes more of the index and a hard class less, at the same index size.
 */
public enum Selection {
  @JsonProperty("balanced") BALANCED,
  @JsonProperty("unbalanced") UNBALANCED
}
