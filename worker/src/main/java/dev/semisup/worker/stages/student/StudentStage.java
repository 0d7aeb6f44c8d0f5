package dev.semisup.worker.stages.student;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.StudentSpec;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.data.ExampleShard;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.packed.PackedShards;
import dev.semisup.worker.data.SourceShard;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.stages.LabeledExamples;
import dev.semisup.worker.stages.ModelTraining;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.train.ShuffledShards;
import dev.semisup.worker.train.TrainingSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 3 of the method: the student pre-trained on the sampled dataset index. Each index entry
 * is one training example: the pool image with the entry's pseudo-label, so an image kept under
 * several classes appears once per class, as in the paper. Beyond the paper, and off by default:
 * soft targets (the teacher's top-P distribution), the labeled images mixed in, and noise on the
 * student.
 *
 * <p>The examples stream from the pack step's tar shards (shard order shuffled per epoch, a
 * bounded shuffle buffer, memory O(buffer + batch)); the labeled mix is one more shard among them.
 * The pool itself is never read here.
 */
public final class StudentStage implements StageTask {

  private static final Logger LOG = LoggerFactory.getLogger(StudentStage.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void run(StageContext context) throws IOException {
    PlannedStep select = context.plan().sibling(context.step(), Stage.SELECT);
    PlannedStep pack = context.plan().sibling(context.step(), Stage.PACK);
    String packed = context.layout().folder(pack);
    if (!context.store().exists(context.layout().success(pack))) {
      throw new IOException(pack.id() + " has not finished: no " + context.store().uri(context.layout().success(pack)));
    }
    TrainingSet examples = streamed(context, select, packed);
    StudentSpec student = context.spec().getStudent();
    Augmentation.Strength augmentation = student.getNoise() != null && student.getNoise().strong()
        ? Augmentation.Strength.STRONG : Augmentation.Strength.STANDARD;
    ModelTraining.trainAndEvaluate(context,
        new ModelTraining.Recipe(student.getArchitecture(), Regularization.of(student.getNoise()), student.getTraining(),
            augmentation, null),
        examples);
  }

  /** The packed shards (and the labeled mix as a shard of its own) through the shuffle buffer. */
  static TrainingSet streamed(StageContext context, PlannedStep select, String packed) throws IOException {
    SemiSupervisedRunSpec spec = context.spec();
    int classes = spec.getData().getClasses();
    List<ExampleShard> shards = new ArrayList<>(PackedShards.list(context.store(), packed,
        ImageGeometry.of(spec.getData()), classes, spec.getSampling().soft()));
    if (shards.isEmpty()) {
      throw new IOException("the packed dataset at " + context.store().uri(packed) + " holds no shard-*.tar");
    }
    long examples = indexEntries(context, select);
    if (spec.getSampling().mixesLabeled()) {
      ImageSource labeled = DataSources.labeled(spec.getData(), context.blobs()).images();
      shards.add(new SourceShard(labeled));
      examples += LabeledExamples.count(labeled, classes);
    }
    int buffer = spec.getStudent().getTraining().getShuffleBuffer();
    LOG.info("{}: streaming {} examples from {} shards at {} through a shuffle buffer of {}", context.step().id(),
        examples, shards.size(), context.store().uri(packed), buffer);
    return new ShuffledShards(shards, classes, examples, buffer);
  }

  /** Entries in the sampled index, from its summary: the packed shards hold one sample per entry. */
  private static long indexEntries(StageContext context, PlannedStep select) throws IOException {
    String key = context.layout().indexSummary(select);
    if (!context.store().exists(key)) {
      throw new IOException(select.id() + " has not finished: no index summary at " + context.store().uri(key));
    }
    JsonNode entries = JSON.readTree(context.store().get(key)).path("entries");
    if (!entries.canConvertToLong() || entries.asLong() < 1) {
      throw new IOException(context.store().uri(key) + ": \"entries\" is not a positive count");
    }
    return entries.asLong();
  }

  @Override
  public void evaluateAgain(StageContext context) throws IOException {
    StudentSpec student = context.spec().getStudent();
    ModelTraining.evaluateAgain(context, student.getArchitecture(), Regularization.of(student.getNoise()));
  }
}
