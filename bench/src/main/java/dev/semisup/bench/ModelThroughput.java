package dev.semisup.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.semisup.api.v1alpha1.TrainingSpec;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.model.GradMode;
import dev.semisup.worker.model.InferenceNetwork;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.train.Checkpoint;
import dev.semisup.worker.train.Examples;
import dev.semisup.worker.train.PixelTransform;
import dev.semisup.worker.train.TrainingLoop;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Training and inference images/s of a model in DJL, the same measurement as
 * bench/peer_throughput.py makes in PyTorch: random 28x28 grey images, 10 classes, the given
 * batch size, after a warm-up. Inference is timed both through {@code Network.probabilities}
 * (the worker's path, batch-norm folded into the convolutions, their weights channels-last), through
 * the same folded copy with NCHW weights, and through the unfolded block, alternating, INFER_IMAGES
 * images each in three parts.
 * Prints one line of key=value pairs.
 *
 * <p>Usage: ModelThroughput ARCHITECTURE TRAIN_BATCH INFER_BATCH TRAIN_IMAGES INFER_IMAGES
 */
public final class ModelThroughput {

  public static void main(String[] args) throws Exception {
    String architecture = args.length > 0 ? args[0] : "cnn-small";
    int trainBatch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int inferBatch = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int trainImages = args.length > 3 ? Integer.parseInt(args[3]) : 20480;
    int inferImages = args.length > 4 ? Integer.parseInt(args[4]) : 51200;
    ModelShape shape = new ModelShape(1, 28, 10);
    PixelTransform plain = (image, out, offset, random) -> {
      byte[] pixels = image.pixels();
      for (int i = 0; i < pixels.length; i++) {
        out[offset + i] = ((pixels[i] & 0xff) / 255f - 0.5f) / 0.25f;
      }
    };
    try (Network network = Network.create(architecture, shape, Regularization.NONE, 1)) {
      Rate training = trainingRate(network, plain, trainBatch, trainImages);
      float[] input = randomImages(inferBatch);
      // The worker's path (Network.probabilities, batch-norm folded) and the same network unfolded,
      // timed in three alternating parts each, so a change of load hits both; medians reported.
      List<Rate> foldedParts = new ArrayList<>();
      List<Rate> nchwParts = new ArrayList<>();
      List<Rate> unfoldedParts = new ArrayList<>();
      try (InferenceNetwork nchw = network.foldedCopy(InferenceNetwork.WeightLayout.NCHW)) {
        Runnable folded = () -> network.probabilities(input, inferBatch);
        Runnable foldedNchw = () -> nchw.probabilities(input, inferBatch);
        Runnable plainForward = () -> unfoldedProbabilities(network, input, inferBatch);
        warmUp(folded);
        warmUp(foldedNchw);
        warmUp(plainForward);
        int partImages = Math.max(inferBatch, inferImages / 3);
        for (int part = 0; part < 3; part++) {
          foldedParts.add(inferenceRate(folded, inferBatch, partImages));
          nchwParts.add(inferenceRate(foldedNchw, inferBatch, partImages));
          unfoldedParts.add(inferenceRate(plainForward, inferBatch, partImages));
        }
      }
      Rate inference = Rate.median(foldedParts);
      Rate foldedNchwRate = Rate.median(nchwParts);
      Rate unfolded = Rate.median(unfoldedParts);
      long parameters = network.parameters().stream().mapToLong(p -> p.getArray().size()).sum();
      System.out.printf("engine=djl architecture=%s parameters=%d threads=%s train_batch=%d infer_batch=%d"
              + " train_img_s=%.1f infer_img_s=%.1f infer_nchw_img_s=%.1f infer_unfolded_img_s=%.1f"
              + " train_img_cpu_s=%.1f infer_img_cpu_s=%.1f infer_nchw_img_cpu_s=%.1f infer_unfolded_img_cpu_s=%.1f%n",
          architecture, parameters, System.getProperty("ai.djl.pytorch.num_threads", "default"), trainBatch, inferBatch,
          training.wall(), inference.wall(), foldedNchwRate.wall(), unfolded.wall(), training.cpu(), inference.cpu(),
          foldedNchwRate.cpu(), unfolded.cpu());
    }
  }

  /**
   * Images per second of wall time and per second of the process's CPU time (all its threads:
   * libtorch's workers too). On a shared machine the wall rate follows the load; the CPU rate
   * much less.
   */
  record Rate(double wall, double cpu) {
    static Rate of(long images, long wallNanos, long cpuNanos) {
      return new Rate(images / (wallNanos / 1e9), images / (cpuNanos / 1e9));
    }

    static Rate median(List<Rate> rates) {
      double[] wall = rates.stream().mapToDouble(Rate::wall).sorted().toArray();
      double[] cpu = rates.stream().mapToDouble(Rate::cpu).sorted().toArray();
      return new Rate(wall[wall.length / 2], cpu[cpu.length / 2]);
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static Rate trainingRate(Network network, PixelTransform plain, int batch, int images) throws Exception {
    Random random = new Random(1);
    Examples examples = new Examples(10);
    for (int i = 0; i < images; i++) {
      byte[] pixels = new byte[784];
      random.nextBytes(pixels);
      examples.addHard(new ImageRecord(i, "bench", i % 10, 1, 28, 28, pixels), i % 10);
    }
    TrainingSpec spec = new TrainingSpec();
    spec.setBatchSize(batch);
    spec.setEpochs(2);
    long[] timing = new long[4];
    new TrainingLoop(network, spec, plain).fit(examples, new TrainingLoop.Checkpoints() {
      @Override
      public Optional<Checkpoint> latest() {
        return Optional.empty();
      }

      @Override
      public void save(Checkpoint checkpoint) {
      }
    }, new TrainingLoop.Listener() {
      @Override
      public void batchDone(int epoch, int epochs, int batchIndex, int batches, float loss, double ips) {
        if (epoch == 2 && batchIndex == 1) {
          timing[0] = System.nanoTime();
          timing[2] = processCpuNanos();
        }
        if (epoch == 2 && batchIndex == batches) {
          timing[1] = System.nanoTime();
          timing[3] = processCpuNanos();
        }
      }
    });
    // The first epoch is the warm-up; the second, minus its first batch, is measured.
    int measured = images - batch;
    return Rate.of(measured, timing[1] - timing[0], timing[3] - timing[2]);
  }

  private static float[] randomImages(int batch) {
    float[] input = new float[batch * 784];
    Random random = new Random(2);
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) random.nextGaussian();
    }
    return input;
  }

  private static float[] unfoldedProbabilities(Network network, float[] images, int count) {
    GradMode.off();
    try (NDManager batch = network.model().getNDManager().newSubManager()) {
      NDArray input = batch.create(images, Network.inputShape(network.shape(), count));
      return network.block().forward(new ParameterStore(batch, false), new NDList(input), false)
          .singletonOrThrow().softmax(1).toFloatArray();
    }
  }

  private static void warmUp(Runnable scoreBatch) {
    for (int i = 0; i < 5; i++) {
      scoreBatch.run();
    }
  }

  private static Rate inferenceRate(Runnable scoreBatch, int batch, int images) {
    long start = System.nanoTime();
    long cpu = processCpuNanos();
    int done = 0;
    while (done < images) {
      scoreBatch.run();
      done += batch;
    }
    return Rate.of(done, System.nanoTime() - start, processCpuNanos() - cpu);
  }
}
