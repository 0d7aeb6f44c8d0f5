package dev.semisup.worker.run;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.stages.finetune.FinetuneStage;
import dev.semisup.worker.stages.infer.InferStage;
import dev.semisup.worker.stages.pack.PackStage;
import dev.semisup.worker.stages.select.SelectStage;
import dev.semisup.worker.stages.student.StudentStage;
import dev.semisup.worker.stages.teacher.TeacherStage;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one step (or one shard of infer or pack) at most once: a step whose _SUCCESS exists is done, and
 * rerunning it does nothing. The marker is written last, so a step killed half-way is simply
 * run again (training steps then resume from their newest checkpoint).
 */
public final class StageRunner {

  private static final Logger LOG = LoggerFactory.getLogger(StageRunner.class);

  /** What a call did. */
  public enum Outcome { RAN, ALREADY_DONE }

  private StageRunner() {
  }

  public static Outcome run(StageContext context) throws IOException {
    PlannedStep step = context.step();
    String marker = step.sharded()
        ? context.layout().shardSuccess(step, context.shard())
        : context.layout().success(step);
    if (context.store().exists(marker) || context.store().exists(context.layout().success(step))) {
      LOG.info("{}{} is already done ({} exists): nothing to do", step.id(),
          step.sharded() ? " shard " + context.shard() : "", context.store().uri(marker));
      return Outcome.ALREADY_DONE;
    }
    task(step.stage()).run(context);
    context.store().putString(marker, "");
    if (step.sharded() && allShardsDone(context)) {
      context.store().putString(context.layout().success(step), "");
    }
    return Outcome.RAN;
  }

  /** The last shard to finish marks the whole sharded step (infer, pack) done. */
  private static boolean allShardsDone(StageContext context) throws IOException {
    for (int shard = 0; shard < context.step().shards(); shard++) {
      if (!context.store().exists(context.layout().shardSuccess(context.step(), shard))) {
        return false;
      }
    }
    return true;
  }

  static StageTask task(Stage stage) {
    return switch (stage) {
      case TEACHER -> new TeacherStage();
      case INFER -> new InferStage();
      case SELECT -> new SelectStage();
      case PACK -> new PackStage();
      case STUDENT -> new StudentStage();
      case FINETUNE -> new FinetuneStage();
    };
  }
}
