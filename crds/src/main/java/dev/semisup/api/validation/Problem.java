package dev.semisup.api.validation;

/** One thing wrong with a spec, named by its field path (e.g. spec.sampling.topK). */
public record Problem(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
