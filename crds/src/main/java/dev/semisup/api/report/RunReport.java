package dev.semisup.api.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * report.json: the result of a whole run, written by the last finetune step.
 *
 * @param teacherAccuracy        validation accuracy of the round-1 teacher (null when given as checkpoint and not evaluated)
 * @param studentAccuracy        the last round's student after pre-training, before fine-tuning
 * @param finalAccuracy          the last round's fine-tuned student
 * @param sampledImages          entries of the last round's sampled index
 * @param pseudoLabelPrecision   share of the index whose pseudo-label equals the pool's hidden label, when known
 * @param rounds                 per-round numbers
 * @param skippedImages          pool images the last round's infer skipped (corrupt or beyond the pixel budget); null when unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunReport(
    String run,
    Double teacherAccuracy,
    Double studentAccuracy,
    Double finalAccuracy,
    Long sampledImages,
    Double pseudoLabelPrecision,
    List<Round> rounds,
    Long skippedImages) {

  public RunReport(String run, Double teacherAccuracy, Double studentAccuracy, Double finalAccuracy,
      Long sampledImages, Double pseudoLabelPrecision, List<Round> rounds) {
    this(run, teacherAccuracy, studentAccuracy, finalAccuracy, sampledImages, pseudoLabelPrecision, rounds, null);
  }

  /**
   * One round: teacher in, index, student, fine-tuned student out; {@code skippedImages} counts the
   * pool images its infer step skipped (null when unknown).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Round(
      int round,
      Double teacherAccuracy,
      Double studentAccuracy,
      Double finalAccuracy,
      long sampledImages,
      Double pseudoLabelPrecision,
      Long skippedImages) {

    public Round(int round, Double teacherAccuracy, Double studentAccuracy, Double finalAccuracy,
        long sampledImages, Double pseudoLabelPrecision) {
      this(round, teacherAccuracy, studentAccuracy, finalAccuracy, sampledImages, pseudoLabelPrecision, null);
    }
  }
}
