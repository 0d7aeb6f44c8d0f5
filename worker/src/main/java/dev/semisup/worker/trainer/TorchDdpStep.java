package dev.semisup.worker.trainer;

import dev.semisup.api.WorkerContract;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.StepEngine;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.worker.stages.BadInputException;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.stages.TrainedElsewhere;
import dev.semisup.worker.store.LocalDirectoryStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A torch-ddp training step on this machine: the trainer contract's group of ranks started as local
 * processes ({@link LocalTrainerGroup}), then the step finished as any trainer's is
 * ({@link TrainedElsewhere}: the module checked against its card; for finetune, the servable folder
 * and the report). On a cluster the operator starts the same trainer as pods instead.
 */
public final class TorchDdpStep implements StageTask {

  /** The folder holding the trainer's Python package; the {@code semisup} launcher sets it. */
  public static final String ENV_TRAINER_DIR = "SEMISUP_TRAINER_DIR";
  /** The Python that runs the trainer; Debian's by default, where python3-torch installs PyTorch. */
  public static final String ENV_PYTHON = "SEMISUP_PYTHON";

  private final Map<String, String> env;
  private final PrintWriter err;

  public TorchDdpStep(Map<String, String> env, PrintWriter err) {
    this.env = env;
    this.err = err;
  }

  @Override
  public void run(StageContext context) throws IOException {
    String stepId = context.step().id();
    EngineSpec engine = StepEngine.torchDdp(context.spec(), context.step().stage())
        .orElseThrow(() -> new IllegalStateException(stepId + " does not train on torch-ddp"));
    LocalTrainerGroup group = new LocalTrainerGroup(python(), trainerDir(), logs(context), err);
    int code;
    try {
      code = group.run(stepId, new LocalTrainerGroup.Size(engine.nodesOrDefault(), engine.gpusPerNodeOrDefault()),
          trainerEnv(context));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(stepId + ": interrupted while its trainer ran", e);
    }
    if (code == WorkerContract.EXIT_BAD_INPUT) {
      throw new BadInputException(stepId + ": the trainer refused its input (exit 2; its message is above)");
    }
    if (code != 0) {
      throw new IOException(stepId + ": the trainer group failed with exit code " + code
          + "; run again to resume from its newest checkpoint");
    }
    // The trainer wrote _SUCCESS last; the step is done only once the worker's part is too (its
    // runner writes the marker again), so a crash in between runs the group again, which resumes.
    context.store().delete(context.layout().success(context.step()));
    TrainedElsewhere.complete(context);
  }

  /**
   * The trainer evaluates as it trains and keeps no evaluation apart from training, so a changed
   * validation set trains the step again (from scratch: its checkpoints belong to the finished run).
   */
  @Override
  public void evaluateAgain(StageContext context) throws IOException {
    for (String key : context.store().list(context.layout().folder(context.step()) + "/")) {
      context.store().delete(key);
    }
    run(context);
  }

  private Map<String, String> trainerEnv(StageContext context) {
    Map<String, String> trainer = new LinkedHashMap<>();
    trainer.put(WorkerContract.ENV_SPEC, Manifests.toJson(context.spec()));
    trainer.put(WorkerContract.ENV_RUN_NAME, context.runName());
    trainer.put(WorkerContract.ENV_STORE_PREFIX, context.layout().prefix());
    if (context.store() instanceof LocalDirectoryStore local) {
      trainer.put(LocalTrainerGroup.ENV_STORE_DIR, local.root().toString());
    }
    return trainer;
  }

  private Path python() {
    String named = env.get(ENV_PYTHON);
    return named == null || named.isBlank() ? LocalTrainerGroup.DEBIAN_PYTHON : Path.of(named);
  }

  /**
   * The launcher's trainer/ folder; else the checkout's, seen from its root or from a module folder
   * (where Maven runs the tests); else ./trainer, which the group reports as missing.
   */
  private Path trainerDir() {
    String named = env.get(ENV_TRAINER_DIR);
    if (named != null && !named.isBlank()) {
      return Path.of(named);
    }
    for (Path candidate : new Path[] {Path.of("trainer"), Path.of("..", "trainer")}) {
      if (Files.isDirectory(candidate.resolve(LocalTrainerGroup.MODULE))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    return Path.of("trainer").toAbsolutePath();
  }

  private static Path logs(StageContext context) throws IOException {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "semisup-trainer", context.runName(), context.step().id());
    return Files.createDirectories(dir);
  }
}
