package dev.semisup.worker.predict;

import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.input.Printable;
import dev.semisup.worker.model.card.InvalidModelCardException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Classifies every image of the inputs in batches and hands each answer to the writer; counts the
 * images, the skipped ones, and the correct answers among the labeled ones.
 */
public final class Predictions {

  /** Images per forward pass: what training's evaluation uses. */
  static final int BATCH = 256;

  /** @param labeled images whose input had a label; accuracy = correct / labeled */
  public record Summary(long images, long skipped, long labeled, long correct) {

    public double accuracy() {
      return labeled == 0 ? Double.NaN : (double) correct / labeled;
    }
  }

  /** Told the running count now and then (every batch). */
  @FunctionalInterface
  public interface Progress {
    void images(long done, long skipped);
  }

  private final Classifier classifier;
  private final int top;

  public Predictions(Classifier classifier, int top) {
    this.classifier = classifier;
    this.top = Math.min(top, classifier.card().classes().size());
  }

  public Summary run(List<ImageSource> inputs, PredictionWriter writer, Progress progress) throws IOException {
    int pixels = classifier.input().floatsPerImage();
    float[] batch = new float[BATCH * pixels];
    List<ImageRecord> pending = new ArrayList<>(BATCH);
    long[] counts = new long[3]; // images, labeled, correct
    long skippedBefore = 0;
    for (ImageSource input : inputs) {
      try (ImageStream stream = input.open()) {
        ImageRecord image;
        while ((image = stream.next()) != null) {
          classifier.input().write(image, batch, pending.size() * pixels);
          pending.add(image);
          if (pending.size() == BATCH) {
            answer(batch, pending, writer, counts);
            progress.images(counts[0], skippedBefore + stream.skipped());
          }
        }
        answer(batch, pending, writer, counts);
        skippedBefore += stream.skipped();
        progress.images(counts[0], skippedBefore);
      }
    }
    return new Summary(counts[0], skippedBefore, counts[1], counts[2]);
  }

  private void answer(float[] batch, List<ImageRecord> pending, PredictionWriter writer, long[] counts) throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    List<String> names = classifier.card().classes();
    int classes = names.size();
    float[] probabilities = classifier.probabilities(batch, pending.size());
    for (int i = 0; i < pending.size() * classes; i++) {
      if (!Float.isFinite(probabilities[i])) {
        throw new InvalidModelCardException(classifier.where() + ": the model answers " + probabilities[i] + " for "
            + Printable.of(pending.get(i / classes).key()) + "; its card's mean and std or its parameters are broken");
      }
    }
    for (int i = 0; i < pending.size(); i++) {
      ImageRecord image = pending.get(i);
      List<PredictionWriter.Ranked> ranked = ranked(probabilities, i * classes, classes, names);
      writer.write(image.key(), image.label(), ranked);
      counts[0]++;
      if (image.labeled()) {
        counts[1]++;
        counts[2] += ranked.get(0).classIndex() == image.label() ? 1 : 0;
      }
    }
    pending.clear();
  }

  /**
   * The top classes, most probable first; ties go to the lower class index, as training's
   * evaluation picks its answer (the first maximum).
   */
  private List<PredictionWriter.Ranked> ranked(float[] probabilities, int offset, int classes, List<String> names) {
    List<PredictionWriter.Ranked> all = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      all.add(new PredictionWriter.Ranked(names.get(c), c, probabilities[offset + c]));
    }
    all.sort((a, b) -> a.probability() != b.probability() ? Float.compare(b.probability(), a.probability())
        : Integer.compare(a.classIndex(), b.classIndex()));
    return all.subList(0, Math.max(1, top));
  }
}
