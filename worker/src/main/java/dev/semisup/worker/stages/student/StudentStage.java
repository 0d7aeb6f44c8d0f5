package dev.semisup.worker.stages.student;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.StudentSpec;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.data.ExampleShard;
import dev.semisup.worker.data.ImageGeometry;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.PackedShards;
import dev.semisup.worker.data.SourceShard;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.stages.LabeledExamples;
import dev.semisup.worker.stages.ModelTraining;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import dev.semisup.worker.train.Examples;
import dev.semisup.worker.train.ShuffledShards;
import dev.semisup.worker.train.TrainingSet;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Only when no packed dataset exists does the stage fall back to reading the pool for the index
 * and holding every sampled image in memory, which does not scale past the heap.
 */
public final class StudentStage implements StageTask {

  private static final Logger LOG = LoggerFactory.getLogger(StudentStage.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void run(StageContext context) throws IOException {
    PlannedStep select = context.plan().sibling(context.step(), Stage.SELECT);
    String packed = packedFolder(context, select);
    TrainingSet examples = context.store().exists(packed + "/" + ObjectLayout.SUCCESS)
        ? streamed(context, select, packed)
        : inMemory(context, select);
    StudentSpec student = context.spec().getStudent();
    Augmentation.Strength augmentation = student.getNoise() != null && student.getNoise().strong()
        ? Augmentation.Strength.STRONG : Augmentation.Strength.STANDARD;
    ModelTraining.trainAndEvaluate(context,
        new ModelTraining.Recipe(student.getArchitecture(), Regularization.of(student.getNoise()), student.getTraining(),
            augmentation, null),
        examples);
  }

  /**
   * Where the pack step writes its shards for this round: {@code packed/} beside {@code index/}.
   * The pack step is wired into the plan separately; then this is the layout's folder of the
   * pack step (ObjectLayout.folder(plan.sibling(step, Stage.PACK))).
   */
  static String packedFolder(StageContext context, PlannedStep select) {
    String index = context.layout().folder(select);
    return index.substring(0, index.length() - "index".length()) + "packed";
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

  /** The fallback without packed shards: every sampled image read from the pool into memory. */
  private static Examples inMemory(StageContext context, PlannedStep select) throws IOException {
    SemiSupervisedRunSpec spec = context.spec();
    LOG.info("{}: no packed dataset: reading the sampled images from the pool into memory", context.step().id());
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
    return examples;
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
}
