package dev.semisup.worker.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.v1alpha1.TrainingSpec;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import dev.semisup.worker.data.ExampleShard;
import dev.semisup.worker.data.TrainingExample;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainingLoopTest {

  static final ModelShape SHAPE = new ModelShape(1, 8, 3);
  static final PixelTransform PLAIN = (image, out, offset, random) -> {
    byte[] pixels = image.pixels();
    for (int i = 0; i < pixels.length; i++) {
      out[offset + i] = ((pixels[i] & 0xff) / 255f - 0.5f) / 0.25f;
    }
  };

  /** Class c is a bright horizontal band at rows 2c..2c+2, plus noise. */
  static Examples bands(int perClass, long seed) {
    Random random = new Random(seed);
    Examples examples = new Examples(3);
    for (int i = 0; i < perClass * 3; i++) {
      int label = i % 3;
      examples.addHard(record(i, bandImage(label, random)), label);
    }
    return examples;
  }

  static ImageRecord record(long ordinal, byte[] pixels) {
    return new ImageRecord(ordinal, "band-" + ordinal, ImageRecord.UNLABELED, 1, 8, 8, pixels);
  }

  static byte[] bandImage(int label, Random random) {
    byte[] pixels = new byte[64];
    for (int p = 0; p < 64; p++) {
      int row = p / 8;
      int value = random.nextInt(60) + (row >= 2 * label + 1 && row < 2 * label + 3 ? 180 : 0);
      pixels[p] = (byte) Math.min(255, value);
    }
    return pixels;
  }

  static TrainingSpec spec(int epochs) {
    TrainingSpec spec = new TrainingSpec();
    spec.setEpochs(epochs);
    spec.setBatchSize(16);
    spec.setLearningRate(0.05);
    spec.setSeed(7L);
    return spec;
  }

  static final class MemoryCheckpoints implements TrainingLoop.Checkpoints {
    final List<byte[]> saved = new ArrayList<>();

    @Override
    public Optional<Checkpoint> latest() throws IOException {
      if (saved.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(Checkpoint.read(new ByteArrayInputStream(saved.get(saved.size() - 1)), "memory"));
    }

    @Override
    public void save(Checkpoint checkpoint) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      checkpoint.write(out);
      saved.add(out.toByteArray());
    }
  }

  static final TrainingLoop.Listener QUIET = (epoch, epochs, batch, batches, loss, ips) -> { };

  @Test
  void parametersTurnedNaNByTheLastStepStopTrainingBeforeItsCheckpoint() throws IOException {
    try (Network network = Network.create("cnn-small", SHAPE, Regularization.NONE, 7)) {
      MemoryCheckpoints checkpoints = new MemoryCheckpoints();
      // The fault: the last step leaves a NaN in the parameters after every batch loss was finite.
      TrainingLoop.Listener lastStepBreaksAParameter = (epoch, epochs, batch, batches, loss, ips) -> {
        if (epoch == epochs && batch == batches) {
          network.parameters().get(0).getArray().muli(Float.NaN);
        }
      };

      assertThatThrownBy(() -> new TrainingLoop(network, spec(2), PLAIN).fit(bands(10, 1), checkpoints,
          lastStepBreaksAParameter))
          .isInstanceOf(LossGuard.Diverged.class)
          .hasMessageContaining("became NaN or infinite at epoch 2")
          .hasMessageContaining("though every batch loss was finite");
      assertThat(checkpoints.saved).hasSize(1);
    }
  }

  @Test
  void learnsASeparableProblem() throws IOException {
    try (Network network = Network.create("cnn-small", SHAPE, Regularization.NONE, 7)) {
      TrainingLoop.Result result = new TrainingLoop(network, spec(4), PLAIN).fit(bands(40, 1), new MemoryCheckpoints(), QUIET);
      assertThat(result.lastEpochLoss()).isLessThan(0.5f);
      Random random = new Random(99);
      int correct = 0;
      float[] images = new float[30 * 64];
      int[] labels = new int[30];
      for (int i = 0; i < 30; i++) {
        labels[i] = i % 3;
        PLAIN.apply(record(i, bandImage(labels[i], random)), images, i * 64, random);
      }
      float[] probabilities = network.probabilities(images, 30);
      for (int i = 0; i < 30; i++) {
        int best = 0;
        for (int c = 1; c < 3; c++) {
          if (probabilities[i * 3 + c] > probabilities[i * 3 + best]) {
            best = c;
          }
        }
        correct += best == labels[i] ? 1 : 0;
      }
      assertThat(correct).isGreaterThanOrEqualTo(27);
    }
  }

  @Test
  void scoringAfterTrainingSeesTheTrainedParameters() throws IOException {
    float[] images = new float[6 * 64];
    Random random = new Random(5);
    for (int i = 0; i < 6; i++) {
      PLAIN.apply(record(i, bandImage(i % 3, random)), images, i * 64, random);
    }
    try (Network network = Network.create("cnn-small", SHAPE, Regularization.NONE, 7);
         Network fresh = Network.create("cnn-small", SHAPE, Regularization.NONE, 8)) {
      float[] untrained = network.probabilities(images, 6); // folds the initial parameters
      new TrainingLoop(network, spec(1), PLAIN).fit(bands(10, 1), new MemoryCheckpoints(), QUIET);
      float[] trained = network.probabilities(images, 6);
      assertThat(trained).isNotEqualTo(untrained);
      // The same parameters loaded into another instance (folded from scratch) score the same.
      fresh.loadParameters(network.parameterBytes(), "trained");
      float[] expected = fresh.probabilities(images, 6);
      for (int i = 0; i < expected.length; i++) {
        assertThat(trained[i]).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-6f));
      }
    }
  }

  @Test
  void validatingAfterEveryEpochLeavesTrainingAsItWas() throws IOException {
    Examples examples = bands(20, 3);
    byte[] unvalidated;
    try (Network network = Network.create("cnn-large", SHAPE, new Regularization(0.3f, 0f), 11)) {
      new TrainingLoop(network, spec(3), PLAIN).fit(examples, new MemoryCheckpoints(), QUIET);
      unvalidated = network.parameterBytes();
    }
    float[] images = new float[6 * 64];
    Random random = new Random(5);
    for (int i = 0; i < 6; i++) {
      PLAIN.apply(record(i, bandImage(i % 3, random)), images, i * 64, random);
    }
    int[] validated = new int[1];
    try (Network network = Network.create("cnn-large", SHAPE, new Regularization(0.3f, 0f), 11)) {
      TrainingLoop.Listener validating = new TrainingLoop.Listener() {
        @Override
        public void batchDone(int epoch, int epochs, int batch, int batches, float loss, double ips) {
        }

        @Override
        public void epochTrained(int epoch, int epochs, float meanLoss) {
          network.probabilities(images, 6);
          validated[0]++;
        }
      };
      new TrainingLoop(network, spec(3), PLAIN).fit(examples, new MemoryCheckpoints(), validating);
      assertThat(validated[0]).isEqualTo(3);
      assertThat(network.parameterBytes()).isEqualTo(unvalidated);
    }
  }

  @Test
  void aRunKilledAfterAnEpochResumesToTheSameParameters() throws IOException {
    Examples examples = bands(20, 3);
    byte[] uninterrupted;
    try (Network network = Network.create("cnn-large", SHAPE, Regularization.NONE, 11)) {
      new TrainingLoop(network, spec(3), PLAIN).fit(examples, new MemoryCheckpoints(), QUIET);
      uninterrupted = network.parameterBytes();
    }

    MemoryCheckpoints checkpoints = new MemoryCheckpoints();
    try (Network network = Network.create("cnn-large", SHAPE, Regularization.NONE, 11)) {
      TrainingLoop.Listener killAfterFirstEpoch = new TrainingLoop.Listener() {
        @Override
        public void batchDone(int epoch, int epochs, int batch, int batches, float loss, double ips) {
        }

        @Override
        public void epochDone(int epoch, int epochs, float meanLoss) {
          throw new IllegalStateException("killed");
        }
      };
      assertThatThrownBy(() -> new TrainingLoop(network, spec(3), PLAIN).fit(examples, checkpoints, killAfterFirstEpoch))
          .hasMessage("killed");
    }
    assertThat(checkpoints.saved).hasSize(1);
    try (Network restarted = Network.create("cnn-large", SHAPE, Regularization.NONE, 11)) {
      new TrainingLoop(restarted, spec(3), PLAIN).fit(examples, checkpoints, QUIET);
      assertThat(checkpoints.saved).hasSize(3);
      assertThat(restarted.parameterBytes()).isEqualTo(uninterrupted);
    }
  }

  /** A shard over examples held by the test: the streamed path with its shuffle buffer, minus the files. */
  static ExampleShard memoryShard(List<TrainingExample> examples) {
    return new ExampleShard() {
      @Override
      public String describe() {
        return "memory";
      }

      @Override
      public Reader open() {
        Iterator<TrainingExample> next = examples.iterator();
        return new Reader() {
          @Override
          public Encoded next() {
            if (!next.hasNext()) {
              return null;
            }
            TrainingExample example = next.next();
            return () -> example;
          }

          @Override
          public void close() {
          }
        };
      }
    };
  }

  /** The bands as three shards of 20, one per class, so only the shard order and the buffer mix them. */
  static ShuffledShards streamedBands(long seed) {
    Examples examples = bands(20, seed);
    List<List<TrainingExample>> byClass = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < examples.size(); i++) {
      byClass.get(examples.get(i).classes()[0]).add(examples.get(i));
    }
    return new ShuffledShards(byClass.stream().map(TrainingLoopTest::memoryShard).toList(), 3, 60, 25);
  }

  /** Dropout and stochastic depth on: the engine's random draws must replay too. */
  static final Regularization NOISY = new Regularization(0.3f, 0.2f);

  /** Trains 2 epochs of 4 batches, checkpointing every 2 batches, killed at batch 3 of epoch 2. */
  static void assertMidEpochResumeIsExact(TrainingSet examples) throws IOException {
    TrainingSpec spec = spec(2);
    spec.setCheckpointEverySteps(2);
    byte[] uninterrupted;
    try (Network network = Network.create("cnn-large", SHAPE, NOISY, 11)) {
      new TrainingLoop(network, spec, PLAIN).fit(examples, new MemoryCheckpoints(), QUIET);
      uninterrupted = network.parameterBytes();
    }

    MemoryCheckpoints checkpoints = new MemoryCheckpoints();
    TrainingLoop.Listener killMidEpochTwo = (epoch, epochs, batch, batches, loss, ips) -> {
      if (epoch == 2 && batch == 3) {
        throw new IllegalStateException("killed");
      }
    };
    try (Network network = Network.create("cnn-large", SHAPE, NOISY, 11)) {
      assertThatThrownBy(() -> new TrainingLoop(network, spec, PLAIN).fit(examples, checkpoints, killMidEpochTwo))
          .hasMessage("killed");
    }
    Checkpoint newest = checkpoints.latest().orElseThrow();
    assertThat(newest.midEpoch()).isTrue();
    assertThat(newest.epochsDone()).isEqualTo(1);
    assertThat(newest.batchesIntoEpoch()).isEqualTo(2);
    assertThat(newest.position()).isEqualTo(32);

    try (Network restarted = Network.create("cnn-large", SHAPE, NOISY, 11)) {
      new TrainingLoop(restarted, spec, PLAIN).fit(examples, checkpoints, QUIET);
      assertThat(restarted.parameterBytes()).isEqualTo(uninterrupted);
    }
  }

  @Test
  void aRunKilledMidEpochResumesToTheSameParametersInMemory() throws IOException {
    assertMidEpochResumeIsExact(bands(20, 3));
  }

  @Test
  void aStreamedRunKilledMidEpochResumesToTheSameParameters() throws IOException {
    assertMidEpochResumeIsExact(streamedBands(3));
  }

  @Test
  void aStreamedSetLearnsAsTheInMemoryOneDoes() throws IOException {
    try (Network network = Network.create("cnn-small", SHAPE, Regularization.NONE, 7)) {
      TrainingLoop.Result result = new TrainingLoop(network, spec(4), PLAIN).fit(streamedBands(1), new MemoryCheckpoints(), QUIET);
      assertThat(result.imagesPerEpoch()).isEqualTo(60);
      assertThat(result.lastEpochLoss()).isLessThan(0.5f);
    }
  }
}
