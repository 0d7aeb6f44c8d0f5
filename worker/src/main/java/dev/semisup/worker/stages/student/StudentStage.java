package dev.semisup.worker.stages.student;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.StudentSpec;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.stages.LabeledExamples;
import dev.semisup.worker.stages.ModelTraining;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.train.Examples;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 3 of the method: the student pre-trained on the sampled dataset index. Each index entry
 * is one training example: the pool image (read through its reference) with the entry's
 * pseudo-label, so an image kept under several classes appears once per class, as in the paper.
 * Beyond the paper, and off by default: soft targets (the teacher's top-P distribution), the
 * labeled images mixed in, and noise on the student.
 */
public final class StudentStage implements StageTask {

  @Override
  public void run(StageContext context) throws IOException {
    SemiSupervisedRunSpec spec = context.spec();
    StudentSpec student = spec.getStudent();
    PlannedStep select = context.plan().sibling(context.step(), Stage.SELECT);
    Map<Long, List<Candidate>> index = readIndex(context, select);

    Examples examples = new Examples(spec.getData().getClasses());
    boolean soft = spec.getSampling().soft();
    try (ImageStream pool = DataSources.pool(spec.getData(), context.blobs()).open(index::containsKey)) {
      for (ImageRecord image = pool.next(); image != null; image = pool.next()) {
        for (Candidate entry : index.get(image.ordinal())) {
          if (soft) {
            examples.addSoft(image, entry.classes(), entry.probabilities());
          } else {
            examples.addHard(image, entry.pseudoLabel());
          }
        }
      }
    }
    if (examples.size() == 0) {
      throw new IOException(select.id() + ": the sampled index names no readable pool image");
    }
    if (spec.getSampling().mixesLabeled()) {
      LabeledExamples.addAll(examples, DataSources.labeled(spec.getData(), context.blobs()).images());
    }
    Augmentation.Strength augmentation = student.getNoise() != null && student.getNoise().strong()
        ? Augmentation.Strength.STRONG : Augmentation.Strength.STANDARD;
    ModelTraining.trainAndEvaluate(context,
        new ModelTraining.Recipe(student.getArchitecture(), Regularization.of(student.getNoise()), student.getTraining(),
            augmentation, null),
        examples);
  }

  private static Map<Long, List<Candidate>> readIndex(StageContext context, PlannedStep select) throws IOException {
    String folder = context.layout().folder(select) + "/part-";
    List<String> parts = context.store().list(folder);
    if (parts.isEmpty() || !context.store().exists(context.layout().success(select))) {
      throw new IOException(select.id() + " has not finished: no sampled index at " + context.store().uri(folder));
    }
    Map<Long, List<Candidate>> index = new HashMap<>();
    for (String part : parts) {
      try (InputStream in = context.store().open(part);
           SampledIndex.Reader reader = new SampledIndex.Reader(in, context.store().uri(part))) {
        for (Candidate entry = reader.next(); entry != null; entry = reader.next()) {
          index.computeIfAbsent(entry.ordinal(), o -> new ArrayList<>(1)).add(entry);
        }
      }
    }
    return index;
  }

  @Override
  public void evaluateAgain(StageContext context) throws IOException {
    StudentSpec student = context.spec().getStudent();
    ModelTraining.evaluateAgain(context, student.getArchitecture(), Regularization.of(student.getNoise()));
  }
}
