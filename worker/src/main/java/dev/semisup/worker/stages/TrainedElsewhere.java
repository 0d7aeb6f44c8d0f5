package dev.semisup.worker.stages;

import ai.djl.engine.Engine;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StepEngine;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.PoolScorer;
import dev.semisup.worker.model.card.CardedModels;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.serving.ServableModel;
import dev.semisup.worker.stages.finetune.FinetuneStage;
import java.io.IOException;

/**
 * The worker's part of a training step that another engine ran (a torch-ddp trainer): check the
 * step folder it wrote against its card (the model loads and maps one image of the card's shape to
 * its classes; a module for another shape fails here, not in the next step), then write what the
 * worker's own fine-tune writes beside its model: the servable directory and the run's
 * report.json and report.html. Idempotent: run it again after a crash and it writes the same.
 */
public final class TrainedElsewhere {

  private TrainedElsewhere() {
  }

  /**
   * The completion a cluster runs as its own Job once a torch-ddp step's trainer pods succeeded:
   * the trainer's _SUCCESS must be there, then {@link #complete}. The step's _SUCCESS stays the
   * trainer's; the operator counts the step done only when this has succeeded.
   *
   * @throws BadInputException when the step does not train on torch-ddp, or its trainer wrote no
   *     _SUCCESS (running it again gives the same answer)
   */
  public static ModelCard completeAfterTrainer(StageContext context) throws IOException {
    PlannedStep step = context.step();
    if (StepEngine.torchDdp(context.spec(), step.stage()).isEmpty()) {
      throw new BadInputException(step.id() + " trains on the worker's own engine, not torch-ddp: it has no trainer"
          + " pods to complete (run it without " + WorkerContract.COMPLETE_OPTION + ")");
    }
    String success = context.layout().success(step);
    if (!context.store().exists(success)) {
      throw new BadInputException(step.id() + ": its trainer has not finished: " + context.store().uri(success)
          + " does not exist (a trainer writes it last)");
    }
    return complete(context);
  }

  /** @return the step's card, as checked */
  public static ModelCard complete(StageContext context) throws IOException {
    PlannedStep step = context.step();
    if (!step.stage().trains()) {
      throw new IllegalStateException(step.id() + " trains no model");
    }
    String cardUri = context.store().uri(context.layout().modelCard(step));
    ModelCard card = ModelTraining.cardOf(context, step).orElseThrow(() -> new BadInputException(step.id()
        + ": the trainer wrote no " + cardUri + "; a trainer writes model-card.json beside its model"));
    String key = ModelTraining.parametersKey(context, step, card);
    if (!context.store().exists(key)) {
      throw new BadInputException(cardUri + " names " + card.parameters().file() + ", but "
          + context.store().uri(key) + " does not exist");
    }
    byte[] model = context.store().get(key);
    PoolScorer loaded;
    try {
      // Loading checks it: TorchScript code, one image of the card's shape to one row of its classes.
      loaded = CardedModels.load(card, model, context.store().uri(key), cardUri, Engine.getInstance().defaultDevice());
    } catch (IOException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    try (loaded) {
      if (step.stage() == Stage.FINETUNE) {
        String servable = context.layout().servableModel(step);
        if (loaded instanceof Network network) {
          ServableModel.write(context.store(), servable, network, card);
        } else {
          ServableModel.writeTorchScript(context.store(), servable, model, card);
        }
        FinetuneStage.writeReports(context);
      }
    }
    return card;
  }
}
