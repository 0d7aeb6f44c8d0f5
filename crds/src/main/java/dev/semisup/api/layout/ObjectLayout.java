package dev.semisup.api.layout;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;

/**
 * Every object key of a run, relative to the store's bucket. One place for every path:
 *
 * <pre>
 * run.json                 the run marker: which run owns this prefix (see RunMarker)
 * spec.json
 * pool/manifest.tsv        a tar or folder pool's files with their sizes, listed once (by infer shard 0)
 * teacher/model.params, model-card.json, metrics.json, progress.json, checkpoints/epoch-0003.ckpt
 *                          (+ epoch-0003.step-000000500.ckpt inside an epoch), inputs.json, _SUCCESS,
 *                          history.json (loss and validation accuracy per epoch), timing.json
 *                          model-card.json: what the parameters need to be used from this folder alone
 *                          (architecture, classes, image size, channels, mean/std, accuracy, run, step)
 * candidates/timing-00003.json, packed/timing-00003.json   start and end of each shard (sharded steps)
 * candidates/shard-00003-of-00008.bin, progress-00003.json, inputs.json, _SUCCESS-00003
 * candidates/checkpoint-00003.bin      a running shard's heaps and files done (deleted at its end)
 * index/part-00000.bin, summary.json, inputs.json, _SUCCESS
 * packed/shard-00003-of-00008.tar, progress-00003.json, _SUCCESS-00003, _SUCCESS
 *                          the sampled images as WebDataset-style tars, in the run's shuffled
 *                          order: members %010d.png|jpg, %010d.cls, %010d.json per index entry
 * student/..., finetune/...            as teacher/
 * finetune/servable/serving.properties, model-0000.params, synset.txt, model-card.json
 *                          the final model as a directory DJL's Criteria and DJL Serving load as is
 * round-2/candidates/..., round-2/index/..., round-2/packed/...   later rounds
 * report.json, report.html     the run's numbers; its page with plots and contact sheets
 * </pre>
 */
public record ObjectLayout(String prefix) {

  public static final String SUCCESS = "_SUCCESS";

  /** The model card's file name, the same in a step's folder and in a servable model directory. */
  public static final String MODEL_CARD = "model-card.json";

  /** A trained step's parameters' file name (this project's own format). */
  public static final String MODEL_PARAMETERS = "model.params";

  public ObjectLayout {
    prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
  }

  /** The run marker: which run owns this prefix. */
  public String runMarker() {
    return key("run.json");
  }

  /** The run lock: which process writes this run now (the worker's RunLock); not an artifact. */
  public String runLock() {
    return key("run.lock");
  }

  /**
   * The unlabeled pool's manifest: one line per pool file, {@code <bytes>\t<uri>}, sorted by URI,
   * after a header line naming the pool. Shared by every round: the pool does not change.
   */
  public String poolManifest() {
    return key("pool/manifest.tsv");
  }

  public String specSnapshot() {
    return key("spec.json");
  }

  public String report() {
    return key("report.json");
  }

  /** The run's self-contained report page (plots, timeline, contact sheets), beside report.json. */
  public String reportPage() {
    return key("report.html");
  }

  /** Folder of a step: teacher, candidates, index, packed, student, finetune (under round-N/ after round 1). */
  public String folder(PlannedStep step) {
    String name = switch (step.stage()) {
      case TEACHER -> "teacher";
      case INFER -> "candidates";
      case SELECT -> "index";
      case PACK -> "packed";
      case STUDENT -> "student";
      case FINETUNE -> "finetune";
    };
    return key(step.round() == 1 ? name : "round-" + step.round() + "/" + name);
  }

  public String model(PlannedStep step) {
    requireTraining(step);
    return folder(step) + "/" + MODEL_PARAMETERS;
  }

  /**
   * The model card beside a trained step's parameters: everything needed to use them from this
   * folder alone (the worker's ModelCard, as JSON).
   */
  public String modelCard(PlannedStep step) {
    requireTraining(step);
    return folder(step) + "/" + MODEL_CARD;
  }

  /**
   * The folder of a trained step's servable model (ending in '/'): serving.properties, DJL's own
   * parameter file, synset.txt and the model card, loadable by DJL's Criteria and DJL Serving.
   */
  public String servableModel(PlannedStep step) {
    requireTraining(step);
    return folder(step) + "/servable/";
  }

  public String metrics(PlannedStep step) {
    return folder(step) + "/metrics.json";
  }

  public String success(PlannedStep step) {
    return folder(step) + "/" + SUCCESS;
  }

  /** The step's input hashes (StepInputs as JSON), written just before its _SUCCESS. */
  public String stepInputs(PlannedStep step) {
    return folder(step) + "/inputs.json";
  }

  /** A training step's per-epoch loss and validation accuracy (TrainingHistory), rewritten every epoch. */
  public String history(PlannedStep step) {
    requireTraining(step);
    return folder(step) + "/history.json";
  }

  /**
   * When the step (or one shard of a sharded step) started and finished (StepTiming): timing.json,
   * or timing-NNNNN.json per shard.
   */
  public String timing(PlannedStep step, int shard) {
    return step.sharded() ? String.format("%s/timing-%05d.json", folder(step), shard) : folder(step) + "/timing.json";
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

  /** Where a running infer shard keeps its heaps and the pool files it has scored. */
  public String inferCheckpoint(PlannedStep infer, int shard) {
    requireStage(infer, Stage.INFER);
    return String.format("%s/checkpoint-%05d.bin", folder(infer), shard);
  }

  /** Progress of one shard of a sharded step (infer, pack). */
  public String shardProgress(PlannedStep step, int shard) {
    requireSharded(step);
    return String.format("%s/progress-%05d.json", folder(step), shard);
  }

  /** A shard's own success marker: a restarted Indexed Job pod skips a finished shard. */
  public String shardSuccess(PlannedStep step, int shard) {
    requireSharded(step);
    return String.format("%s/%s-%05d", folder(step), SUCCESS, shard);
  }

  /** One WebDataset-style tar of the packed sampled images. */
  public String packedShard(PlannedStep pack, int shard) {
    requireStage(pack, Stage.PACK);
    return String.format("%s/shard-%05d-of-%05d.tar", folder(pack), shard, pack.shards());
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

  private static void requireSharded(PlannedStep step) {
    if (!step.sharded()) {
      throw new IllegalArgumentException(step.id() + " is not a sharded step");
    }
  }

  private static void requireStage(PlannedStep step, Stage stage) {
    if (step.stage() != stage) {
      throw new IllegalArgumentException(step.id() + " is not a " + stage.wireName() + " step");
    }
  }
}
