package dev.semisup.worker.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.report.StepTiming;
import dev.semisup.worker.stages.StageContext;
import java.io.IOException;
import java.time.Instant;

/**
 * Writes a step's (or shard's) timing.json: started when an attempt begins, finished just before
 * its _SUCCESS. A resumed attempt keeps the first start, so the timeline shows the step's whole
 * wall time, and counts itself.
 */
final class StepTimings {

  private static final ObjectMapper JSON = new ObjectMapper();

  private StepTimings() {
  }

  static void started(StageContext context) throws IOException {
    String key = key(context);
    StepTiming earlier = read(context, key);
    PlannedStep step = context.step();
    String now = Instant.now(context.clock()).toString();
    StepTiming timing = earlier == null || earlier.finishedAt() != null
        ? new StepTiming(step.id(), context.shard(), step.shards(), now, null, 1)
        : new StepTiming(step.id(), context.shard(), step.shards(), earlier.startedAt(), null, earlier.attempts() + 1);
    context.store().put(key, JSON.writeValueAsBytes(timing));
  }

  static void finished(StageContext context) throws IOException {
    String key = key(context);
    StepTiming begun = read(context, key);
    PlannedStep step = context.step();
    String now = Instant.now(context.clock()).toString();
    StepTiming timing = begun == null
        ? new StepTiming(step.id(), context.shard(), step.shards(), now, now, 1)
        : new StepTiming(step.id(), context.shard(), step.shards(), begun.startedAt(), now, begun.attempts());
    context.store().put(key, JSON.writeValueAsBytes(timing));
  }

  private static StepTiming read(StageContext context, String key) throws IOException {
    return context.store().exists(key) ? JSON.readValue(context.store().get(key), StepTiming.class) : null;
  }

  private static String key(StageContext context) {
    return context.layout().timing(context.step(), context.shard());
  }
}
