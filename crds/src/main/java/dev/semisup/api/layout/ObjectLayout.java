package dev.semisup.api.layout;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;

/**
 * Every object key of a run, relative to the store's bucket. One place for every path:
 *
 * <pre>
 * run.json                 the run marker: which run owns this prefix (see RunMarker)
 * spec.json
 * teacher/model.params, metrics.json, progress.json, checkpoints/epoch-0003.ckpt
 *                          (+ epoch-0003.step-000000500.ckpt inside an epoch), _SUCCESS
 * candidates/shard-00003-of-00008.bin, progress-00003.json, _SUCCESS-00003
 * index/part-00000.bin, summary.json, _SUCCESS
 * student/..., finetune/...            as teacher/
 * round-2/candidates/..., round-2/index/..., ...   later rounds
 * report.json
 * </pre>
 */
public record ObjectLayout(String prefix) {

  public static final String SUCCESS = "_SUCCESS";

  public ObjectLayout {
    prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
  }

  /** The run marker: which run owns this prefix. */
  public String runMarker() {
    return key("run.json");
  }

  public String specSnapshot() {
    return key("spec.json");
  }

  public String report() {
    return key("report.json");
  }

  /** Folder of a step: teacher, candidates, index, student, finetune (under round-N/ after round 1). */
  public String folder(PlannedStep step) {
    String name = switch (step.stage()) {
      case TEACHER -> "teacher";
      case INFER -> "candidates";
      case SELECT -> "index";
      case STUDENT -> "student";
      case FINETUNE -> "finetune";
    };
    return key(step.round() == 1 ? name : "round-" + step.round() + "/" + name);
  }

  public String model(PlannedStep step) {
    requireTraining(step);
    return folder(step) + "/model.params";
  }

  public String metrics(PlannedStep step) {
    return folder(step) + "/metrics.json";
  }

  public String success(PlannedStep step) {
    return folder(step) + "/" + SUCCESS;
  }

  public String progress(PlannedStep step) {
    return folder(step) + "/progress.json";
  }

  public String checkpoints(PlannedStep step) {
    requireTraining(step);
    return folder(step) + "/checkpoints/";
  }

  public String checkpoint(PlannedStep step, int epoch) {
    return checkpoints(step) + String.format("epoch-%04d.ckpt", epoch);
  }

  /**
   * A checkpoint inside an epoch: {@code epochsDone} whole epochs and {@code batches} batches of
   * the next. Keys sort in training order ("epoch-0002.ckpt" < "epoch-0002.step-000000500.ckpt"
   * < "epoch-0003.ckpt"), so the last key listed is the newest checkpoint.
   */
  public String checkpoint(PlannedStep step, int epochsDone, int batches) {
    if (batches == 0) {
      return checkpoint(step, epochsDone);
    }
    return checkpoints(step) + String.format("epoch-%04d.step-%09d.ckpt", epochsDone, batches);
  }

  /** Per-class top-K candidates of one inference shard. */
  public String candidateShard(PlannedStep infer, int shard) {
    requireStage(infer, Stage.INFER);
    return String.format("%s/shard-%05d-of-%05d.bin", folder(infer), shard, infer.shards());
  }

  public String shardProgress(PlannedStep infer, int shard) {
    requireStage(infer, Stage.INFER);
    return String.format("%s/progress-%05d.json", folder(infer), shard);
  }

  /** A shard's own success marker: a restarted Indexed Job pod skips a finished shard. */
  public String shardSuccess(PlannedStep infer, int shard) {
    requireStage(infer, Stage.INFER);
    return String.format("%s/%s-%05d", folder(infer), SUCCESS, shard);
  }

  public String indexPart(PlannedStep select, int part) {
    requireStage(select, Stage.SELECT);
    return String.format("%s/part-%05d.bin", folder(select), part);
  }

  public String indexSummary(PlannedStep select) {
    requireStage(select, Stage.SELECT);
    return folder(select) + "/summary.json";
  }

  private String key(String relative) {
    return prefix.isEmpty() ? relative : prefix + "/" + relative;
  }

  private static void requireTraining(PlannedStep step) {
    if (!step.stage().trains()) {
      throw new IllegalArgumentException(step.id() + " trains no model");
    }
  }

  private static void requireStage(PlannedStep step, Stage stage) {
    if (step.stage() != stage) {
      throw new IllegalArgumentException(step.id() + " is not a " + stage.wireName() + " step");
    }
  }
}
