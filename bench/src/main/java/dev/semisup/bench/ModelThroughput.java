package dev.semisup.bench;

import dev.semisup.api.v1alpha1.TrainingSpec;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.train.Checkpoint;
import dev.semisup.worker.train.Examples;
import dev.semisup.worker.train.PixelTransform;
import dev.semisup.worker.train.TrainingLoop;
import java.util.Optional;
import java.util.Random;

/**
 * Training and inference images/s of a model in DJL, the same measurement as
 * bench/peer_throughput.py makes in PyTorch: random 28x28 grey images, 10 classes, the given
 * batch size, after a warm-up. Prints one line of key=value pairs.
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
      double training = trainingImagesPerSecond(network, plain, trainBatch, trainImages);
      double inference = inferenceImagesPerSecond(network, inferBatch, inferImages);
      System.out.printf("engine=djl architecture=%s threads=%s train_batch=%d infer_batch=%d train_img_s=%.0f infer_img_s=%.0f%n",
          architecture, System.getProperty("ai.djl.pytorch.num_threads", "default"), trainBatch, inferBatch, training, inference);
    }
  }

  private static double trainingImagesPerSecond(Network network, PixelTransform plain, int batch, int images) throws Exception {
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
    long[] timing = new long[2];
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
        }
        if (epoch == 2 && batchIndex == batches) {
          timing[1] = System.nanoTime();
        }
      }
    });
    // The first epoch is the warm-up; the second, minus its first batch, is measured.
    int measured = images - batch;
    return measured / ((timing[1] - timing[0]) / 1e9);
  }

  private static double inferenceImagesPerSecond(Network network, int batch, int images) {
    float[] input = new float[batch * 784];
    Random random = new Random(2);
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < 5; i++) {
      network.probabilities(input, batch);
    }
    long start = System.nanoTime();
    int done = 0;
    while (done < images) {
      network.probabilities(input, batch);
      done += batch;
    }
    return done / ((System.nanoTime() - start) / 1e9);
  }
}
