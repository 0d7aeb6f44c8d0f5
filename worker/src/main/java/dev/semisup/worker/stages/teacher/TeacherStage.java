package dev.semisup.worker.stages.teacher;

import dev.semisup.api.v1alpha1.TeacherSpec;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.stages.LabeledExamples;
import dev.semisup.worker.stages.ModelTraining;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import java.io.IOException;

/** Step 1 of the method: a supervised teacher trained on the labeled set alone. */
public final class TeacherStage implements StageTask {

  @Override
  public void run(StageContext context) throws IOException {
    TeacherSpec teacher = context.spec().getTeacher();
    ModelTraining.trainAndEvaluate(context,
        new ModelTraining.Recipe(teacher.getArchitecture(), Regularization.NONE, teacher.getTraining(),
            Augmentation.Strength.STANDARD, null),
        LabeledExamples.read(DataSources.labeled(context.spec().getData(), context.blobs()).images(),
            context.spec().getData().getClasses(), teacher.getTraining()));
  }

  @Override
  public void evaluateAgain(StageContext context) throws IOException {
    ModelTraining.evaluateAgain(context, context.spec().getTeacher().getArchitecture(), Regularization.NONE);
  }
}
