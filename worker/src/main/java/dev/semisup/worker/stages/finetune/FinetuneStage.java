package dev.semisup.worker.stages.finetune;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StepEngine;
import dev.semisup.api.v1alpha1.StudentSpec;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.stages.BadInputException;
import dev.semisup.worker.stages.LabeledExamples;
import dev.semisup.worker.stages.ModelTraining;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.report.RunReportPage;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Step 4 of the method: the pre-trained student fine-tuned on the labeled set. The last
 * fine-tune of the plan also writes the run's report.json and report.html.
 */
public final class FinetuneStage implements StageTask {

  @Override
  public void run(StageContext context) throws IOException {
    StudentSpec student = context.spec().getStudent();
    PlannedStep pretrained = context.plan().sibling(context.step(), Stage.STUDENT);
    requireOwnNetwork(context, pretrained);
    ModelTraining.trainAndEvaluate(context,
        new ModelTraining.Recipe(student.getArchitecture(), Regularization.of(student.getNoise()),
            student.getFinetuning(), Augmentation.Strength.STANDARD, ModelTraining.modelOf(context, pretrained)),
        LabeledExamples.read(DataSources.labeled(context.spec().getData(), context.blobs()).images(),
            context.spec().getData().getClasses(), student.getFinetuning()));
    writeReports(context);
  }

  @Override
  public void evaluateAgain(StageContext context) throws IOException {
    StudentSpec student = context.spec().getStudent();
    ModelTraining.evaluateAgain(context, student.getArchitecture(), Regularization.of(student.getNoise()));
    writeReports(context);
  }

  /**
   * This engine fine-tunes this project's networks only. DJL can train a TorchScript module (see
   * TorchScriptFineTuningTest), but the training loop, its checkpoints and data-parallel replicas
   * are built on {@code Network}; a torch-ddp student is fine-tuned by the torch-ddp engine.
   */
  private static void requireOwnNetwork(StageContext context, PlannedStep pretrained) throws IOException {
    Optional<ModelCard> card = ModelTraining.cardOf(context, pretrained);
    if (card.isPresent() && card.get().isTorchScript()) {
      throw new BadInputException(context.step().id() + ": " + pretrained.id() + "'s model is a TorchScript module"
          + " (trained by the torch-ddp engine, as " + context.store().uri(context.layout().modelCard(pretrained))
          + " says); the djl engine fine-tunes only this project's own networks: set "
          + StepEngine.field(Stage.FINETUNE) + ".type: torch-ddp");
    }
  }

  /**
   * The run's report.json and report.html (rebuilt on demand by {@code semisup report}), from the
   * steps' metrics so far: after every fine-tune, whichever engine trained it.
   */
  public static void writeReports(StageContext context) throws IOException {
    context.store().put(context.layout().report(), RunReports.build(context));
    RunReportPage.write(new RunReportPage.Run(context.runName(), context.store(), context.layout(), context.plan()),
        context.clock(), Set.of());
  }
}
