package dev.semisup.worker.train;

import static dev.semisup.worker.train.TrainingLoopTest.NOISY;
import static dev.semisup.worker.train.TrainingLoopTest.PLAIN;
import static dev.semisup.worker.train.TrainingLoopTest.QUIET;
import static dev.semisup.worker.train.TrainingLoopTest.SHAPE;
import static dev.semisup.worker.train.TrainingLoopTest.bands;
import static dev.semisup.worker.train.TrainingLoopTest.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
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
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.train.TrainingLoopTest.MemoryCheckpoints;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The data-parallel step with two model instances on the CPU (DJL's PyTorch engine has one CPU
 * device; two instances on it stand for two GPUs). Batch-norm as DDP without SyncBatchNorm: each
 * replica normalises its chunk with the chunk's own statistics (see {@link DataParallel}).
 */
class DataParallelTest {

  static final List<Device> TWO_ON_CPU = List.of(Device.cpu(), Device.cpu());
  static final int PIXELS = SHAPE.pixels();
  static final int CLASSES = SHAPE.classes();

  /** count random images and one-hot targets; the last argument picks each image's source index. */
  record Batch(float[] images, float[] targets, int count) {
    static Batch random(int count, long seed, IntFunction<Integer> source) {
      Random random = new Random(seed);
      float[] pool = new float[count * PIXELS];
      for (int i = 0; i < pool.length; i++) {
        pool[i] = (float) random.nextGaussian();
      }
      int[] labels = random.ints(count, 0, CLASSES).toArray();
      float[] images = new float[count * PIXELS];
      float[] targets = new float[count * CLASSES];
      for (int i = 0; i < count; i++) {
        int from = source.apply(i);
        System.arraycopy(pool, from * PIXELS, images, i * PIXELS, PIXELS);
        targets[i * CLASSES + labels[from]] = 1f;
      }
      return new Batch(images, targets, count);
    }
  }

  /** One optimizer and trainer over a network, as the training loop sets them up. */
  static final class Training implements AutoCloseable {
    final NDManager state;
    final MomentumSgd optimizer;
    final Trainer trainer;

    Training(Network network) {
      GradMode.off();
      state = network.model().getNDManager().newSubManager();
      optimizer = new MomentumSgd(0.9f, 5e-4f, state);
      optimizer.setLearningRate(0.02f);
      trainer = network.model().newTrainer(
          new DefaultTrainingConfig(new SoftmaxCrossEntropyLoss("loss", 1f, -1, false, true)).optOptimizer(optimizer));
    }

    /** Gradients of each chunk's mean loss x its share, accumulated one after another; one step. */
    float accumulatedStep(Batch batch, int[] starts) {
      float loss = 0;
      for (int c = 0; c + 1 < starts.length; c++) {
        int size = starts[c + 1] - starts[c];
        if (size == 0) {
          continue;
        }
        try (NDManager scope = trainer.getManager().newSubManager();
             GradientCollector collector = trainer.newGradientCollector()) {
          NDArray x = scope.create(Arrays.copyOfRange(batch.images, starts[c] * PIXELS, starts[c + 1] * PIXELS),
              Network.inputShape(SHAPE, size));
          NDArray y = scope.create(Arrays.copyOfRange(batch.targets, starts[c] * CLASSES, starts[c + 1] * CLASSES),
              new Shape(size, CLASSES));
          NDArray value = trainer.getLoss().evaluate(new NDList(y), trainer.forward(new NDList(x))).mul((float) size / batch.count);
          collector.backward(value);
          loss += value.getFloat();
        }
      }
      trainer.step();
      return loss;
    }

    @Override
    public void close() {
      trainer.close();
      optimizer.closeState();
      state.close();
    }
  }

  @Test
  void twoInstancesStepAsOneInstanceAccumulatingTheirChunks() throws IOException {
    try (Network owner = Network.create("cnn-large", SHAPE, Regularization.NONE, 5);
         Network single = Network.create("cnn-large", SHAPE, Regularization.NONE, 5);
         Training parallel = new Training(owner);
         Training reference = new Training(single);
         DataParallel replicas = DataParallel.over(owner, TWO_ON_CPU)) {
      assertThat(owner.parameterBytes()).isEqualTo(single.parameterBytes());
      // 11 images split 6 + 5; the last batch of one image leaves the second replica idle.
      for (int count : new int[] {11, 8, 11, 1}) {
        Batch batch = Batch.random(count, count * 31L, i -> i);
        float loss = replicas.step(parallel.trainer, parallel.optimizer, batch.images, batch.targets, count, PIXELS, CLASSES);
        float expected = reference.accumulatedStep(batch, DataParallel.chunkStarts(count, 2));
        assertThat(loss).isCloseTo(expected, within(1e-4f + 1e-5f * expected));
      }
      assertTrainableParametersClose(owner, single);
      assertThat(replicas.replica(1).parameterBytes()).as("the other replica holds the owner's parameters")
          .isEqualTo(owner.parameterBytes());
    }
  }

  @Test
  void twoInstancesStepAsOneInstanceOnTheWholeBatchWhenTheChunksHaveItsStatistics() throws IOException {
    // Each chunk holds the same 6 images (in another order), so each replica's batch-norm sees
    // the whole batch's mean and variance: then the sum of the chunks' gradients is the whole
    // batch's gradient, batch-norm included. Every step must still use both replicas' gradients:
    // either one alone is half of it.
    try (Network owner = Network.create("cnn-large", SHAPE, Regularization.NONE, 9);
         Network single = Network.create("cnn-large", SHAPE, Regularization.NONE, 9);
         Training parallel = new Training(owner);
         Training reference = new Training(single);
         DataParallel replicas = DataParallel.over(owner, TWO_ON_CPU)) {
      for (int step = 0; step < 3; step++) {
        Batch batch = Batch.random(12, 100 + step, i -> i < 6 ? i : 11 - i);
        float loss = replicas.step(parallel.trainer, parallel.optimizer, batch.images, batch.targets, 12, PIXELS, CLASSES);
        float expected = reference.accumulatedStep(batch, new int[] {0, 12});
        assertThat(loss).isCloseTo(expected, within(1e-4f + 1e-5f * expected));
      }
      assertTrainableParametersClose(owner, single);
    }
  }

  @Test
  void theFirstDeviceMustHoldTheTrainedNetwork() {
    try (Network owner = Network.create("cnn-small", SHAPE, Regularization.NONE, 1)) {
      assertThatThrownBy(() -> DataParallel.over(owner, List.of(Device.gpu(3), Device.cpu())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gpu(3)");
    }
  }

  @Test
  void chunksAreContiguousAndDifferByAtMostOne() {
    assertThat(DataParallel.chunkStarts(11, 2)).containsExactly(0, 6, 11);
    assertThat(DataParallel.chunkStarts(10, 4)).containsExactly(0, 3, 6, 8, 10);
    assertThat(DataParallel.chunkStarts(1, 2)).containsExactly(0, 1, 1);
  }

  @Test
  void aDataParallelRunKilledMidEpochResumesToTheSameParameters() throws IOException {
    // The replicas must restart from the checkpoint too, not from the network's initial values.
    TrainingSpec spec = spec(2);
    spec.setCheckpointEverySteps(2);
    Examples examples = bands(20, 3);
    byte[] uninterrupted;
    byte[] singleDevice;
    try (Network network = Network.create("cnn-large", SHAPE, NOISY, 11)) {
      new TrainingLoop(network, spec, PLAIN, TWO_ON_CPU).fit(examples, new MemoryCheckpoints(), QUIET);
      uninterrupted = network.parameterBytes();
    }
    try (Network network = Network.create("cnn-large", SHAPE, NOISY, 11)) {
      new TrainingLoop(network, spec, PLAIN).fit(examples, new MemoryCheckpoints(), QUIET);
      singleDevice = network.parameterBytes();
    }
    assertThat(uninterrupted).as("per-replica batch-norm statistics: not the single-device run").isNotEqualTo(singleDevice);

    MemoryCheckpoints checkpoints = new MemoryCheckpoints();
    TrainingLoop.Listener killMidEpochTwo = (epoch, epochs, batch, batches, loss, ips) -> {
      if (epoch == 2 && batch == 3) {
        throw new IllegalStateException("killed");
      }
    };
    try (Network network = Network.create("cnn-large", SHAPE, NOISY, 11)) {
      assertThatThrownBy(() -> new TrainingLoop(network, spec, PLAIN, TWO_ON_CPU).fit(examples, checkpoints, killMidEpochTwo))
          .hasMessage("killed");
    }
    try (Network restarted = Network.create("cnn-large", SHAPE, NOISY, 11)) {
      new TrainingLoop(restarted, spec, PLAIN, TWO_ON_CPU).fit(examples, checkpoints, QUIET);
      assertThat(restarted.parameterBytes()).isEqualTo(uninterrupted);
    }
  }

  @Test
  void aDataParallelRunLearns() throws IOException {
    try (Network network = Network.create("cnn-small", SHAPE, Regularization.NONE, 7)) {
      TrainingLoop.Result result = new TrainingLoop(network, spec(4), PLAIN, TWO_ON_CPU)
          .fit(bands(40, 1), new MemoryCheckpoints(), QUIET);
      assertThat(result.lastEpochLoss()).isLessThan(0.5f);
    }
  }

  static void assertTrainableParametersClose(Network actual, Network expected) {
    List<Parameter> a = actual.parameters();
    List<Parameter> e = expected.parameters();
    int compared = 0;
    for (int p = 0; p < a.size(); p++) {
      if (!a.get(p).requiresGradient()) {
        continue;
      }
      float[] got = a.get(p).getArray().toFloatArray();
      float[] want = e.get(p).getArray().toFloatArray();
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i]).as("%s[%d]", a.get(p).getName(), i).isCloseTo(want[i], within(2e-5f + 1e-4f * Math.abs(want[i])));
      }
      compared++;
    }
    assertThat(compared).isGreaterThan(5);
  }
}
