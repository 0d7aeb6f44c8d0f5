package dev.semisup.worker.train;

import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.model.Network;
import java.io.IOException;
import java.util.Random;

/** Top-1 accuracy and mean cross-entropy of a network on a labeled set, streamed in batches. */
public final class Evaluation {

  /** @param images images evaluated */
  public record Result(double accuracy, double loss, long images) {
  }

  private Evaluation() {
  }

  public static Result of(Network network, ImageSource source, PixelTransform transform, int batchSize) throws IOException {
    int pixels = network.shape().pixels();
    int classes = network.shape().classes();
    float[] batch = new float[batchSize * pixels];
    int[] labels = new int[batchSize];
    Random unused = new Random(0);
    long correct = 0;
    long seen = 0;
    double lossSum = 0;
    try (ImageStream stream = source.open()) {
      int count = 0;
      ImageRecord record;
      while (true) {
        record = stream.next();
        if (record != null) {
          if (!record.labeled()) {
            throw new IOException(source.describe() + ": image " + record.key() + " has no label; a validation set needs labels");
          }
          transform.apply(record, batch, count * pixels, unused);
          labels[count++] = record.label();
        }
        if (count == batchSize || (record == null && count > 0)) {
          float[] probabilities = network.probabilities(batch, count);
          for (int i = 0; i < count; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
              if (probabilities[i * classes + c] > probabilities[i * classes + best]) {
                best = c;
              }
            }
            correct += best == labels[i] ? 1 : 0;
            lossSum -= Math.log(Math.max(probabilities[i * classes + labels[i]], 1e-12f));
          }
          seen += count;
          count = 0;
        }
        if (record == null) {
          break;
        }
      }
    }
    if (seen == 0) {
      throw new IOException(source.describe() + ": the validation set is empty");
    }
    return new Result((double) correct / seen, lossSum / seen, seen);
  }
}
