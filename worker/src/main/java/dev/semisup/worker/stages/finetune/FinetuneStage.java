package dev.semisup.worker.stages.finetune;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.v1alpha1.StudentSpec;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.stages.LabeledExamples;
import dev.semisup.worker.stages.ModelTraining;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.report.RunReportPage;
import java.io.IOException;
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
    ModelTraining.trainAndEvaluate(context,
        new ModelTraining.Recipe(student.getArchitecture(), Regularization.of(student.getNoise()),
            student.getFinetuning(), Augmentation.Strength.STANDARD, ModelTraining.modelOf(context, pretrained)),
        LabeledExamples.read(DataSources.labeled(context.spec().getData(), context.blobs()).images(),
            context.spec().getData().getClasses(), student.getFinetuning()));
    context.store().put(context.layout().report(), RunReports.build(context));
    writeReportPage(context);
  }

  @Override
  public void evaluateAgain(StageContext context) throws IOException {
    StudentSpec student = context.spec().getStudent();
    ModelTraining.evaluateAgain(context, student.getArchitecture(), Regularization.of(student.getNoise()));
    context.store().put(context.layout().report(), RunReports.build(context));
    writeReportPage(context);
  }

  /** report.html beside report.json: the run's page, rebuilt on demand by {@code semisup report}. */
  private static void writeReportPage(StageContext context) throws IOException {
    RunReportPage.write(new RunReportPage.Run(context.runName(), context.store(), context.layout(), context.plan()),
        context.clock(), Set.of());
  }
}
