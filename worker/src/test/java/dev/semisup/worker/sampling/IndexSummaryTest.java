package dev.semisup.worker.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexSummaryTest {

  private static Candidate entry(long ordinal, int pseudoLabel, float score) {
    return new Candidate(ordinal, "img-" + ordinal, pseudoLabel, score, new int[] {pseudoLabel}, new float[] {score});
  }

  /**
   * Class 0 holds ten entries scored 0.1..1.0, class 1 two, class 2 none. Images 1 and 2 are kept
   * under classes 0 and 1. The hidden labels make 7 of class 0 and 1 of class 1 right.
   */
  private static IndexSummary handMade(boolean withHiddenLabels) {
    Map<Long, Integer> hidden = Map.of(1L, 1, 2L, 0, 3L, 1, 4L, 1);
    IndexSummary.Builder builder = withHiddenLabels
        ? IndexSummary.builder(3, ordinal -> hidden.getOrDefault(ordinal, 0))
        : IndexSummary.builder(3);
    for (int i = 10; i >= 1; i--) {
      builder.accept(entry(i, 0, i / 10f));
    }
    builder.accept(entry(1, 1, 0.8f));
    builder.accept(entry(2, 1, 0.05f));
    return builder.build();
  }

  @Test
  void countsQuantilesAndImagesUnderSeveralClasses() {
    IndexSummary summary = handMade(false);

    assertThat(summary.classes()).isEqualTo(3);
    assertThat(summary.entries()).isEqualTo(12);
    assertThat(summary.distinctImages()).isEqualTo(10);
    assertThat(summary.imagesUnderSeveralClasses()).isEqualTo(2);
    assertThat(summary.pseudoLabelPrecision()).isNull();
    // Nearest rank over ten scores: p10 is the 1st, the median the 5th, p90 the 9th.
    assertThat(summary.perClass().get(0))
        .isEqualTo(new IndexSummary.ClassSummary(0, 10, 0.1f, 0.1f, 0.5f, 0.9f, 1.0f, null));
    // Over two: p10 and the median are the 1st, p90 the 2nd.
    assertThat(summary.perClass().get(1))
        .isEqualTo(new IndexSummary.ClassSummary(1, 2, 0.05f, 0.05f, 0.05f, 0.8f, 0.8f, null));
    assertThat(summary.perClass().get(2))
        .isEqualTo(new IndexSummary.ClassSummary(2, 0, null, null, null, null, null, null));
  }

  @Test
  void pseudoLabelPrecisionAgainstHiddenLabels() {
    IndexSummary summary = handMade(true);

    assertThat(summary.perClass().get(0).pseudoLabelPrecision()).isEqualTo(0.7);
    assertThat(summary.perClass().get(1).pseudoLabelPrecision()).isEqualTo(0.5);
    assertThat(summary.perClass().get(2).pseudoLabelPrecision()).isNull();
    assertThat(summary.pseudoLabelPrecision()).isEqualTo(8 / 12.0);
  }

  @Test
  void writesReadableJsonAndReadsItBack() throws Exception {
    ObjectMapper json = new ObjectMapper();
    IndexSummary summary = handMade(true);

    String text = json.writeValueAsString(summary);
    JsonNode tree = json.readTree(text);

    assertThat(tree.get("entries").asLong()).isEqualTo(12);
    assertThat(tree.get("imagesUnderSeveralClasses").asLong()).isEqualTo(2);
    assertThat(tree.get("perClass").get(0).get("medianScore").asText()).isEqualTo("0.5");
    assertThat(tree.get("perClass").get(2).has("minScore")).isFalse(); // empty class: no scores
    assertThat(json.readValue(text, IndexSummary.class)).isEqualTo(summary);
    assertThat(json.writeValueAsString(handMade(false))).doesNotContain("pseudoLabelPrecision");
  }
}
