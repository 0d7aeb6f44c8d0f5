package dev.semisup.worker.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StepEngine;
import dev.semisup.api.plan.StepInputs;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.stages.finetune.FinetuneStage;
import dev.semisup.worker.stages.infer.InferStage;
import dev.semisup.worker.stages.pack.PackStage;
import dev.semisup.worker.stages.select.SelectStage;
import dev.semisup.worker.stages.student.StudentStage;
import dev.semisup.worker.stages.teacher.TeacherStage;
import dev.semisup.worker.trainer.TorchDdpStep;
import java.io.IOException;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one step (or one shard of infer or pack) at most once per set of inputs: a step whose _SUCCESS exists
 * and whose recorded input hashes ({@link StepInputs}, in inputs.json beside the _SUCCESS, written
 * when the step starts) match the spec's is done, and rerunning it does nothing. The marker is written last, so a step killed half-way is
 * simply run again (training steps then resume from their newest checkpoint).
 *
 * <p>A finished step whose inputs changed is not done: its artifacts are deleted and it runs again
 * (downstream steps follow, their hashes chain); one whose validation set alone changed keeps its
 * model and is evaluated again. Locally that is how a fixed manifest resumes; on a cluster the
 * accepted spec and its data do not change, so there it only guards against a foreign prefix.
 */
public final class StageRunner {

  private static final Logger LOG = LoggerFactory.getLogger(StageRunner.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a call did. */
  public enum Outcome { RAN, ALREADY_DONE, EVALUATED_AGAIN }

  /** Where a step stands against the current spec. */
  public enum State {
    NOT_DONE,
    DONE,
    /** Finished with other inputs: its artifacts are stale and it runs again. */
    INPUTS_CHANGED,
    /** Finished with the same training inputs but another validation set: its model is evaluated again. */
    VALIDATION_CHANGED
  }

  private StageRunner() {
  }

  public static Outcome run(StageContext context) throws IOException {
    PlannedStep step = context.step();
    String marker = successMarker(context);
    StepInputs current = context.plan().inputs(context.spec(), step);
    switch (state(context, current)) {
      case DONE -> {
        LOG.info("{}{} is already done ({} exists): nothing to do", step.id(),
            step.sharded() ? " shard " + context.shard() : "", context.store().uri(marker));
        return Outcome.ALREADY_DONE;
      }
      case VALIDATION_CHANGED -> {
        context.store().delete(context.layout().success(step));
        task(context).evaluateAgain(context);
        context.store().put(context.layout().stepInputs(step), JSON.writeValueAsBytes(current));
        finish(context, marker);
        return Outcome.EVALUATED_AGAIN;
      }
      case INPUTS_CHANGED -> {
        LOG.warn("{}: its inputs changed since it finished (spec fields {}); deleting its artifacts and running it again",
            step.id(), StepInputs.trainingFields(step.stage()));
        for (String key : context.store().list(context.layout().folder(step) + "/")) {
          context.store().delete(key);
        }
        if (step.stage() == Stage.FINETUNE) {
          context.store().delete(context.layout().report());
        }
      }
      case NOT_DONE -> {
      }
    }
    // Recorded when the step starts, so a later run can tell whose checkpoints these are.
    context.store().put(context.layout().stepInputs(step), JSON.writeValueAsBytes(current));
    StepTimings.started(context);
    task(context).run(context);
    StepTimings.finished(context);
    finish(context, marker);
    return Outcome.RAN;
  }

  /** Where the step (or shard) of the context stands against the spec of the context. */
  public static State state(StageContext context) throws IOException {
    return state(context, context.plan().inputs(context.spec(), context.step()));
  }

  private static State state(StageContext context, StepInputs current) throws IOException {
    PlannedStep step = context.step();
    String recordKey = context.layout().stepInputs(step);
    StepInputs recorded = context.store().exists(recordKey)
        ? JSON.readValue(context.store().get(recordKey), StepInputs.class) : null;
    // Checked first: a step begun with other inputs leaves checkpoints a resume must not pick up.
    if (recorded != null && !current.training().equals(recorded.training())) {
      return State.INPUTS_CHANGED;
    }
    if (!context.store().exists(successMarker(context)) && !context.store().exists(context.layout().success(step))) {
      return State.NOT_DONE;
    }
    if (recorded == null) {
      // Finished before steps recorded their inputs: the spec snapshot vouched for them then.
      return State.DONE;
    }
    return current.evaluation().equals(recorded.evaluation()) ? State.DONE : State.VALIDATION_CHANGED;
  }

  private static void finish(StageContext context, String marker) throws IOException {
    PlannedStep step = context.step();
    context.store().putString(marker, "");
    if (step.sharded() && allShardsDone(context)) {
      context.store().putString(context.layout().success(step), "");
    }
  }

  private static String successMarker(StageContext context) {
    PlannedStep step = context.step();
    return step.sharded() ? context.layout().shardSuccess(step, context.shard()) : context.layout().success(step);
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

  static StageTask task(StageContext context) {
    Stage stage = context.step().stage();
    if (StepEngine.torchDdp(context.spec(), stage).isPresent()) {
      // On a cluster the operator starts the trainer's pods; here this machine plays the group.
      return new TorchDdpStep(System.getenv(), new PrintWriter(System.err, true));
    }
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
