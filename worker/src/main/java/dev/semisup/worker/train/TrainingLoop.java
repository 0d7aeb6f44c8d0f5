package dev.semisup.worker.train;

import ai.djl.Device;
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
import dev.semisup.worker.data.pipeline.DecodeSettings;
import dev.semisup.worker.model.GradMode;
import dev.semisup.worker.model.Network;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mini-batch SGD over a {@link TrainingSet} (held in memory or streamed from shards), one epoch
 * at a time, checkpointing every {@code checkpointEverySteps} batches and after every epoch, and
 * resuming from the newest checkpoint. Every source of randomness is seeded from the spec's seed:
 * the epoch's order from (seed, epoch), augmentation, dropout and stochastic depth from (seed,
 * epoch, batch). So a run killed anywhere, even mid-epoch, and resumed ends with the same
 * parameters as an uninterrupted one.
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

    /**
     * An epoch is trained and its checkpoint not yet saved: what a listener records here (the
     * epoch's validation, its history entry) is done before any resume can skip the epoch. The
     * network holds the epoch's parameters; a listener may run it forward but must draw from no
     * generator the training seeds (so evaluating here leaves training as it was).
     */
    default void epochTrained(int epoch, int epochs, float meanLoss) throws IOException {
    }

    /** An epoch is trained and checkpointed. */
    default void epochDone(int epoch, int epochs, float meanLoss) throws IOException {
    }
  }

  /**
   * How training went: mean loss of the last epoch, images seen per second, examples per epoch
   * as planned, and corrupt images skipped (by the passes this process read).
   */
  public record Result(int epochs, float lastEpochLoss, double imagesPerSecond, long imagesPerEpoch,
      long skippedImages) {
  }

  private final Network network;
  private final TrainingSpec spec;
  private final PixelTransform transform;
  private final List<Device> devices;
  private final int augmentThreads;

  /** Trains on the network's own device. */
  public TrainingLoop(Network network, TrainingSpec spec, PixelTransform transform) {
    this(network, spec, transform, List.of(network.device()));
  }

  /**
   * Trains data-parallel over {@code devices} (see {@link DataParallel}): the network is on the
   * first and is the one checkpointed; one device takes the single-device path.
   */
  public TrainingLoop(Network network, TrainingSpec spec, PixelTransform transform, List<Device> devices) {
    this(network, spec, transform, devices, DecodeSettings.configured().threads());
  }

  /**
   * As above, augmenting batches on {@code augmentThreads} threads ahead of the step (one batch per
   * thread, within an eighth of the heap); the batches are the same for any number.
   */
  public TrainingLoop(Network network, TrainingSpec spec, PixelTransform transform, List<Device> devices,
      int augmentThreads) {
    if (augmentThreads < 1) {
      throw new IllegalArgumentException("augment threads must be at least 1, was " + augmentThreads);
    }
    this.network = network;
    this.spec = spec;
    this.transform = transform;
    this.devices = List.copyOf(devices);
    this.augmentThreads = augmentThreads;
  }

  public Result fit(TrainingSet examples, Checkpoints checkpoints, Listener listener) throws IOException {
    long planned = examples.examplesPerEpoch();
    if (planned == 0) {
      throw new IllegalArgumentException("the training set is empty");
    }
    // Gradients are recorded only inside a GradientCollector; PyTorch's grad mode is per thread
    // and only the thread that loaded the engine starts with it off.
    GradMode.off();
    try (NDManager state = network.model().getNDManager().newSubManager()) {
      MomentumSgd optimizer = new MomentumSgd(spec.getMomentum().floatValue(), spec.getWeightDecay().floatValue(), state);
      // fromLogit + dense labels: one loss for hard labels (one-hot) and soft targets alike.
      SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss("loss", 1f, -1, false, true);
      List<Parameter> parameters = network.parameters();
      // Load before the trainer exists: it marks the (then current) arrays as needing gradients.
      Checkpoint resumed = resume(checkpoints, optimizer, parameters);
      DefaultTrainingConfig config = new DefaultTrainingConfig(loss).optOptimizer(optimizer);
      try (Trainer trainer = network.model().newTrainer(config);
           DataParallel replicas = devices.size() > 1 ? DataParallel.over(network, devices) : null;
           AugmentThreads augmenters = AugmentThreads.of(augmentThreads)) {
        Fit fit = new Fit(examples, checkpoints, listener, trainer, replicas, augmenters, optimizer, parameters);
        for (int epoch = Math.min(resumed.epochsDone(), fit.epochs); epoch < fit.epochs; epoch++) {
          fit.epoch(epoch, epoch == resumed.epochsDone() && resumed.midEpoch() ? resumed : null);
        }
        optimizer.closeState();
        return fit.result();
      }
    }
  }

  /** One call of {@link #fit}: its schedule, what it trains with, and what it has seen so far. */
  private final class Fit {
    final int epochs = spec.getEpochs();
    final long planned;
    final int batchSize;
    final int batchesPerEpoch;
    final long totalSteps;
    final long warmup;
    final int checkpointEvery = spec.getCheckpointEverySteps() == null ? 0 : spec.getCheckpointEverySteps();
    final int pixels = network.shape().pixels();
    final int classes;
    final int ahead;
    final TrainingSet examples;
    final Checkpoints checkpoints;
    final Listener listener;
    final Trainer trainer;
    final DataParallel replicas;
    final AugmentThreads augmenters;
    final MomentumSgd optimizer;
    final List<Parameter> parameters;
    final List<String> ids;
    final long started = System.nanoTime();
    float lastLoss = Float.NaN;
    float lastRate = Float.NaN;
    long seen;
    long skipped;
    // The epoch being trained: batches done, and the loss and examples they summed to.
    int batch;
    double lossSum;
    long epochExamples;

    Fit(TrainingSet examples, Checkpoints checkpoints, Listener listener, Trainer trainer, DataParallel replicas,
        AugmentThreads augmenters, MomentumSgd optimizer, List<Parameter> parameters) {
      this.examples = examples;
      this.checkpoints = checkpoints;
      this.listener = listener;
      this.trainer = trainer;
      this.replicas = replicas;
      this.augmenters = augmenters;
      this.optimizer = optimizer;
      this.parameters = parameters;
      this.ids = ids(parameters);
      this.planned = examples.examplesPerEpoch();
      this.batchSize = (int) Math.min(spec.getBatchSize(), planned);
      this.batchesPerEpoch = (int) ((planned + batchSize - 1) / batchSize);
      this.totalSteps = (long) epochs * batchesPerEpoch;
      this.warmup = epochs > 1 ? batchesPerEpoch : 0;
      this.classes = examples.classes();
      this.ahead = batchesAhead(batchSize, pixels, classes);
    }

    /** Trains epoch {@code epoch} (0-based), from where {@code midEpoch} stopped when it is not null. */
    void epoch(int epoch, Checkpoint midEpoch) throws IOException {
      batch = midEpoch != null ? midEpoch.batchesIntoEpoch() : 0;
      lossSum = midEpoch != null ? midEpoch.epochLossSum() : 0;
      epochExamples = midEpoch != null ? midEpoch.epochExamples() : 0;
      try (TrainingSet.Pass pass = examples.epoch(spec.getSeed(), epoch, midEpoch != null ? midEpoch.position() : 0);
           AugmentedBatches batches = new AugmentedBatches(pass, transform, augmenters.pool(), ahead,
               index -> batchSeed(epoch, index), batch, batchSize, pixels, classes)) {
        for (AugmentedBatches.Batch ready; (ready = batches.next()) != null; ) {
          step(epoch, ready);
        }
        skipped += pass.skipped();
      }
      lastLoss = epochExamples == 0 ? Float.NaN : (float) (lossSum / epochExamples);
      LossGuard.checkParameters(network.nonFiniteParameter(), epoch + 1, lastRate);
      listener.epochTrained(epoch + 1, epochs, lastLoss);
      checkpoints.save(new Checkpoint(epoch + 1, network.parameterBytes(), optimizer.exportState(ids)));
      listener.epochDone(epoch + 1, epochs, lastLoss);
    }

    /** One SGD step on one augmented batch, then its progress and, every checkpointEvery batches, a checkpoint. */
    void step(int epoch, AugmentedBatches.Batch ready) throws IOException {
      int count = ready.count();
      // Dropout and stochastic depth draw from the engine's generator: seeded per batch,
      // so a resumed batch draws what the uninterrupted one drew.
      long engineSeed = batchSeed(epoch, batch) * 31 + 17;
      Engine.getInstance().setRandomSeed((int) (engineSeed ^ (engineSeed >>> 32)));
      long step = (long) epoch * batchesPerEpoch + batch;
      float learningRate = LearningRates.at(spec.getSchedule(), spec.getLearningRate(), step, totalSteps, warmup);
      optimizer.setLearningRate(learningRate);
      lastRate = learningRate;
      float batchLoss = replicas == null
          ? gradientStep(trainer, optimizer, parameters, ready.images(), ready.targets(), count, pixels, classes)
          : replicas.step(trainer, optimizer, ready.images(), ready.targets(), count, pixels, classes);
      LossGuard.check(batchLoss, epoch + 1, batch + 1, learningRate);
      lossSum += batchLoss * count;
      epochExamples += count;
      seen += count;
      batch++;
      double seconds = (System.nanoTime() - started) / 1e9;
      listener.batchDone(epoch + 1, epochs, Math.min(batch, batchesPerEpoch), batchesPerEpoch, batchLoss,
          seen / Math.max(seconds, 1e-9));
      if (checkpointEvery > 0 && batch % checkpointEvery == 0) {
        checkpoints.save(new Checkpoint(epoch, batch, ready.positionAfter(), lossSum, epochExamples,
            network.parameterBytes(), optimizer.exportState(ids)));
      }
    }

    Result result() {
      double seconds = (System.nanoTime() - started) / 1e9;
      return new Result(epochs, lastLoss, seen == 0 ? 0 : seen / Math.max(seconds, 1e-9), planned, skipped);
    }
  }

  private static List<String> ids(List<Parameter> parameters) {
    return parameters.stream().map(Parameter::getId).toList();
  }

  /**
   * Batches augmented ahead of the step: one per thread, as long as they fit in an eighth of the
   * heap (a batch of 256 ImageNet-sized images is 154 MB of floats), and at least one.
   */
  private int batchesAhead(int batchSize, int pixels, int classes) {
    long batchBytes = 4L * batchSize * (pixels + classes);
    long budget = Runtime.getRuntime().maxMemory() / 8;
    return (int) Math.max(1, Math.min(augmentThreads, budget / batchBytes));
  }

  /** The augmenting threads of one fit: daemons, so a failing step never waits on them. */
  private record AugmentThreads(ExecutorService pool) implements AutoCloseable {
    static AugmentThreads of(int threads) {
      AtomicInteger number = new AtomicInteger();
      return new AugmentThreads(Executors.newFixedThreadPool(threads, task -> {
        Thread thread = new Thread(task, "augment-" + number.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      }));
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }

  /** The seed of one batch's augmentation and noise: a pure function of (seed, epoch, batch). */
  private long batchSeed(int epoch, int batch) {
    return TrainingSet.epochSeed(spec.getSeed(), epoch) * 0x9E3779B97F4A7C15L + batch;
  }

  private Checkpoint resume(Checkpoints checkpoints, MomentumSgd optimizer, List<Parameter> parameters)
      throws IOException {
    Optional<Checkpoint> latest = checkpoints.latest();
    if (latest.isEmpty()) {
      return new Checkpoint(0, null, null);
    }
    Checkpoint checkpoint = latest.get();
    network.loadParameters(checkpoint.parameters(), "checkpoint after epoch " + checkpoint.epochsDone()
        + (checkpoint.midEpoch() ? " and " + checkpoint.batchesIntoEpoch() + " batches" : ""));
    List<NDArray> weights = new ArrayList<>();
    for (Parameter parameter : parameters) {
      weights.add(parameter.getArray());
    }
    optimizer.importState(ids(parameters), weights, checkpoint.momentum());
    return checkpoint;
  }

  private float gradientStep(Trainer trainer, MomentumSgd optimizer, List<Parameter> parameters, float[] images,
      float[] targets, int count, int pixels, int classes) {
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
      optimizer.step(parameters);
      network.parametersChanged();
      return value;
    }
  }

  private static float[] slice(float[] buffer, int length) {
    return buffer.length == length ? buffer : java.util.Arrays.copyOf(buffer, length);
  }
}
