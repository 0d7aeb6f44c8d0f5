package dev.semisup.worker.stages.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.worker.stages.StageContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** report.json: teacher vs student vs final accuracy of every round done so far. */
final class RunReports {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RunReports() {
  }

  static byte[] build(StageContext context) throws IOException {
    List<RunReport.Round> rounds = new ArrayList<>();
    int lastRound = context.step().round();
    for (int round = 1; round <= lastRound; round++) {
      PlannedStep student = step(context, Stage.STUDENT, round);
      PlannedStep finetune = step(context, Stage.FINETUNE, round);
      PlannedStep select = step(context, Stage.SELECT, round);
      Double teacher = context.plan().teacherOf(round).flatMap(t -> accuracy(context, t)).orElse(null);
      JsonNode summary = JSON.readTree(context.store().get(context.layout().indexSummary(select)));
      rounds.add(new RunReport.Round(round, teacher, accuracy(context, student).orElse(null),
          accuracy(context, finetune).orElse(null), summary.path("entries").asLong(),
          summary.hasNonNull("pseudoLabelPrecision") ? summary.get("pseudoLabelPrecision").asDouble() : null,
          summary.hasNonNull("skippedImages") ? summary.get("skippedImages").asLong() : null));
    }
    RunReport.Round first = rounds.get(0);
    RunReport.Round last = rounds.get(rounds.size() - 1);
    RunReport report = new RunReport(context.runName(), first.teacherAccuracy(), last.studentAccuracy(),
        last.finalAccuracy(), last.sampledImages(), last.pseudoLabelPrecision(), rounds, last.skippedImages());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(report);
  }

  private static PlannedStep step(StageContext context, Stage stage, int round) {
    return context.plan().steps().stream()
        .filter(s -> s.stage() == stage && s.round() == round)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + stage.wireName() + " step in round " + round));
  }

  private static Optional<Double> accuracy(StageContext context, PlannedStep step) {
    try {
      String key = context.layout().metrics(step);
      if (!context.store().exists(key)) {
        return Optional.empty();
      }
      return Optional.of(JSON.readValue(context.store().get(key), StageMetrics.class).accuracy());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
