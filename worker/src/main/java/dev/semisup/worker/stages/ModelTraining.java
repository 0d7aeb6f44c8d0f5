package dev.semisup.worker.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.api.v1alpha1.TrainingSpec;
import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.progress.ProgressReporter;
import dev.semisup.worker.train.Evaluation;
import dev.semisup.worker.train.PixelTransform;
import dev.semisup.worker.train.StoreCheckpoints;
import dev.semisup.worker.train.TrainingLoop;
import dev.semisup.worker.train.TrainingSet;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the three training stages share: train a network on examples with checkpoints in the
 * store, write its parameters, evaluate it on the validation set and write metrics.json.
 */
public final class ModelTraining {

  private static final Logger LOG = LoggerFactory.getLogger(ModelTraining.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EVALUATION_BATCH = 256;

  /** A network to train: its name, its noise, and optionally the parameters it starts from. */
  public record Recipe(String architecture, Regularization noise, TrainingSpec training,
      Augmentation.Strength augmentation, byte[] startingParameters) {
  }

  private ModelTraining() {
  }

  public static StageMetrics trainAndEvaluate(StageContext context, Recipe recipe, TrainingSet examples) throws IOException {
    PlannedStep step = context.step();
    DataSpec data = context.spec().getData();
    ModelShape shape = ModelShape.of(data);
    long started = System.nanoTime();
    try (Network network = Network.create(recipe.architecture(), shape, recipe.noise(), recipe.training().getSeed())) {
      if (recipe.startingParameters() != null) {
        network.loadParameters(recipe.startingParameters(), "starting parameters of " + step.id());
      }
      Augmentation augmentation = Augmentation.of(recipe.augmentation(), data);
      PixelTransform transform = (image, out, offset, random) -> augmentation.apply(image, random, out, offset);
      ProgressReporter progress = context.progress();
      LOG.info("{}: training {} on {} images for {} epochs", step.id(), recipe.architecture(),
          examples.examplesPerEpoch(), recipe.training().getEpochs());
      TrainingLoop.Result result = new TrainingLoop(network, recipe.training(), transform)
          .fit(examples, new StoreCheckpoints(context.store(), context.layout(), step), listener(progress));

      if (result.skippedImages() > 0) {
        LOG.warn("{}: skipped {} corrupt images while training", step.id(), result.skippedImages());
      }
      context.store().write(context.layout().model(step), network::saveParameters);
      Augmentation plain = Augmentation.of(Augmentation.Strength.NONE, data);
      Evaluation.Result evaluation = Evaluation.of(network, DataSources.validation(data, context.blobs()),
          (image, out, offset, random) -> plain.apply(image, random, out, offset), EVALUATION_BATCH);
      StageMetrics metrics = new StageMetrics(step.id(), recipe.architecture(), evaluation.accuracy(),
          evaluation.loss(), result.epochs(), result.imagesPerEpoch(), result.imagesPerSecond(),
          (System.nanoTime() - started) / 1e9);
      context.store().put(context.layout().metrics(step), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(metrics));
      progress.finish(result.imagesPerEpoch(), result.imagesPerEpoch(), result.imagesPerSecond());
      LOG.info("{}: validation accuracy {} on {} images", step.id(),
          String.format("%.4f", evaluation.accuracy()), evaluation.images());
      return metrics;
    }
  }

  private static TrainingLoop.Listener listener(ProgressReporter progress) {
    long started = System.nanoTime();
    return new TrainingLoop.Listener() {
      long batchesSeen;

      @Override
      public void batchDone(int epoch, int epochs, int batch, int batches, float loss, double imagesPerSecond) {
        batchesSeen++;
        double seconds = (System.nanoTime() - started) / 1e9;
        long remaining = (long) (epochs - epoch) * batches + (batches - batch);
        Long eta = batchesSeen < 3 ? null : Math.round(remaining * seconds / batchesSeen);
        progress.training(epoch, epochs, batch, batches, imagesPerSecond, loss, eta);
      }
    };
  }

  /** Reads a trained step's parameters (model.params) from the store. */
  public static byte[] modelOf(StageContext context, PlannedStep trained) throws IOException {
    String key = context.layout().model(trained);
    if (!context.store().exists(key)) {
      throw new IOException(trained.id() + " has no model at " + context.store().uri(key) + ": run " + trained.id() + " first");
    }
    return context.store().get(key);
  }

  /** Reads parameters from a URI given in the spec (teacher.checkpoint). */
  public static byte[] modelAt(StageContext context, String uri) throws IOException {
    try (InputStream in = context.blobs().open(uri)) {
      return in.readAllBytes();
    } catch (java.io.FileNotFoundException e) {
      throw new BadInputException("spec.teacher.checkpoint: " + uri + " does not exist", e);
    }
  }
}
