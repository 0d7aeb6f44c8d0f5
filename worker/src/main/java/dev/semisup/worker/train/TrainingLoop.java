package dev.semisup.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import dev.semisup.api.v1alpha1.TrainingSpec;
import dev.semisup.worker.model.GradMode;
import dev.semisup.worker.model.Network;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Mini-batch SGD over an in-memory training set, one epoch at a time, checkpointing after every
 * epoch and resuming from the newest checkpoint. Every source of randomness (weights, shuffling,
 * augmentation, dropout, stochastic depth) is seeded from the spec's seed and the epoch, so an
 * interrupted and resumed run ends with the same parameters as an uninterrupted one.
 */
public final class TrainingLoop {

  /** Where the loop keeps its checkpoints (the object store in a stage, memory in tests). */
  public interface Checkpoints {
    Optional<Checkpoint> latest() throws IOException;

    void save(Checkpoint checkpoint) throws IOException;
  }

  /** Told about progress; may throw to stop training (a pod being killed, in tests). */
  public interface Listener {
    void batchDone(int epoch, int epochs, int batch, int batches, float loss, double imagesPerSecond) throws IOException;

    default void epochDone(int epoch, int epochs, float meanLoss) throws IOException {
    }
  }

  /** How training went: mean loss of the last epoch, images seen per second. */
  public record Result(int epochs, float lastEpochLoss, double imagesPerSecond, long imagesPerEpoch) {
  }

  private final Network network;
  private final TrainingSpec spec;
  private final PixelTransform transform;

  public TrainingLoop(Network network, TrainingSpec spec, PixelTransform transform) {
    this.network = network;
    this.spec = spec;
    this.transform = transform;
  }

  public Result fit(Examples examples, Checkpoints checkpoints, Listener listener) throws IOException {
    if (examples.size() == 0) {
      throw new IllegalArgumentException("the training set is empty");
    }
    // Gradients are recorded only inside a GradientCollector; PyTorch's grad mode is per thread
    // and only the thread that loaded the engine starts with it off.
    GradMode.off();
    int epochs = spec.getEpochs();
    int batchSize = Math.min(spec.getBatchSize(), examples.size());
    int batchesPerEpoch = (examples.size() + batchSize - 1) / batchSize;
    long totalSteps = (long) epochs * batchesPerEpoch;
    long warmup = epochs > 1 ? batchesPerEpoch : 0;
    int pixels = network.shape().pixels();
    int classes = examples.classes();

    try (NDManager state = network.model().getNDManager().newSubManager()) {
      MomentumSgd optimizer = new MomentumSgd(spec.getMomentum().floatValue(), spec.getWeightDecay().floatValue(), state);
      // fromLogit + dense labels: one loss for hard labels (one-hot) and soft targets alike.
      SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss("loss", 1f, -1, false, true);
      List<Parameter> parameters = network.parameters();
      List<String> ids = parameters.stream().map(Parameter::getId).toList();
      // Load before the trainer exists: it marks the (then current) arrays as needing gradients.
      int firstEpoch = resume(checkpoints, optimizer, parameters, ids);
      DefaultTrainingConfig config = new DefaultTrainingConfig(loss).optOptimizer(optimizer);
      try (Trainer trainer = network.model().newTrainer(config)) {

        float lastLoss = Float.NaN;
        long seen = 0;
        long started = System.nanoTime();
        float[] images = new float[batchSize * pixels];
        float[] targets = new float[batchSize * classes];
        for (int epoch = firstEpoch; epoch < epochs; epoch++) {
          long epochSeed = spec.getSeed() * 1_000_003L + epoch;
          Engine.getInstance().setRandomSeed((int) (epochSeed ^ (epochSeed >>> 32)));
          Random random = new Random(epochSeed);
          int[] order = permutation(examples.size(), random);
          double lossSum = 0;
          for (int b = 0; b < batchesPerEpoch; b++) {
            int from = b * batchSize;
            int count = Math.min(batchSize, examples.size() - from);
            for (int i = 0; i < count; i++) {
              int example = order[from + i];
              transform.apply(examples.image(example), images, i * pixels, random);
              examples.writeTarget(example, targets, i * classes);
            }
            long step = (long) epoch * batchesPerEpoch + b;
            float learningRate = LearningRates.at(spec.getSchedule(), spec.getLearningRate(), step, totalSteps, warmup);
            optimizer.setLearningRate(learningRate);
            float batchLoss = step(trainer, images, targets, count, pixels, classes);
            LossGuard.check(batchLoss, epoch + 1, b + 1, learningRate);
            lossSum += batchLoss * count;
            seen += count;
            double seconds = (System.nanoTime() - started) / 1e9;
            listener.batchDone(epoch + 1, epochs, b + 1, batchesPerEpoch, batchLoss, seen / Math.max(seconds, 1e-9));
          }
          lastLoss = (float) (lossSum / examples.size());
          checkpoints.save(new Checkpoint(epoch + 1, network.parameterBytes(), optimizer.exportState(ids)));
          listener.epochDone(epoch + 1, epochs, lastLoss);
        }
        optimizer.closeState();
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Result(epochs, lastLoss, seen == 0 ? 0 : seen / Math.max(seconds, 1e-9), examples.size());
      }
    }
  }

  private int resume(Checkpoints checkpoints, MomentumSgd optimizer, List<Parameter> parameters, List<String> ids)
      throws IOException {
    Optional<Checkpoint> latest = checkpoints.latest();
    if (latest.isEmpty()) {
      return 0;
    }
    Checkpoint checkpoint = latest.get();
    network.loadParameters(checkpoint.parameters(), "checkpoint after epoch " + checkpoint.epochsDone());
    List<NDArray> weights = new ArrayList<>();
    for (Parameter parameter : parameters) {
      weights.add(parameter.getArray());
    }
    optimizer.importState(ids, weights, checkpoint.momentum());
    return Math.min(checkpoint.epochsDone(), spec.getEpochs());
  }

  private float step(Trainer trainer, float[] images, float[] targets, int count, int pixels, int classes) {
    try (NDManager batch = trainer.getManager().newSubManager()) {
      NDArray x = batch.create(slice(images, count * pixels), Network.inputShape(network.shape(), count));
      NDArray y = batch.create(slice(targets, count * classes), new Shape(count, classes));
      float value;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDList predictions = trainer.forward(new NDList(x));
        NDArray lossValue = trainer.getLoss().evaluate(new NDList(y), predictions);
        collector.backward(lossValue);
        value = lossValue.getFloat();
      }
      trainer.step();
      return value;
    }
  }

  private static float[] slice(float[] buffer, int length) {
    return buffer.length == length ? buffer : java.util.Arrays.copyOf(buffer, length);
  }

  private static int[] permutation(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }
}
