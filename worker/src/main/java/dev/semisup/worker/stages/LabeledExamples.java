package dev.semisup.worker.stages;

import dev.semisup.api.v1alpha1.TrainingSpec;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.SourceShard;
import dev.semisup.worker.train.Examples;
import dev.semisup.worker.train.ShuffledShards;
import dev.semisup.worker.train.TrainingSet;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labeled set as hard-label training examples. A set whose decoded pixels fit the training
 * spec's {@code cacheLimitMiB} is held in memory and shuffled fully every epoch (an idx or cifar
 * file is one unit, so a buffer could not mix its classes); a larger one is streamed every epoch
 * through the shuffle buffer, memory O(buffer). The choice depends on the spec alone, never on the
 * pod's heap, so the same spec always trains on the same order.
 */
public final class LabeledExamples {

  private static final Logger LOG = LoggerFactory.getLogger(LabeledExamples.class);

  private LabeledExamples() {
  }

  public static TrainingSet read(ImageSource labeled, int classes, TrainingSpec training) throws IOException {
    long budget = (long) training.getCacheLimitMiB() << 20;
    Examples cache = new Examples(classes);
    long count = 0;
    try (ImageStream stream = labeled.open()) {
      for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
        check(labeled, image, classes);
        count++;
        if (cache != null) {
          cache.addHard(image, image.label());
          if (cache.pixelBytes() > budget) {
            cache = null;
          }
        }
      }
    }
    if (count == 0) {
      throw new BadInputException(labeled.describe() + ": the labeled set is empty");
    }
    if (cache != null) {
      return cache;
    }
    LOG.info("{}: {} images exceed cacheLimitMiB {}: streamed through a shuffle buffer of {}", labeled.describe(),
        count, training.getCacheLimitMiB(), training.getShuffleBuffer());
    return new ShuffledShards(List.of(new SourceShard(labeled)), classes, count, training.getShuffleBuffer());
  }

  /** Adds every labeled image to an in-memory set (the student's fallback path). */
  public static void addAll(Examples examples, ImageSource labeled) throws IOException {
    try (ImageStream stream = labeled.open()) {
      for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
        check(labeled, image, examples.classes());
        examples.addHard(image, image.label());
      }
    }
  }

  /** Images in the labeled set, read once (it is small by definition; the labels are checked). */
  public static long count(ImageSource labeled, int classes) throws IOException {
    long count = 0;
    try (ImageStream stream = labeled.open()) {
      for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
        check(labeled, image, classes);
        count++;
      }
    }
    return count;
  }

  private static void check(ImageSource labeled, ImageRecord image, int classes) throws BadInputException {
    if (!image.labeled() || image.label() >= classes) {
      throw new BadInputException(labeled.describe() + ": image " + image.key() + " has label " + image.label()
          + ", outside 0.." + (classes - 1) + " (spec.data.classes)");
    }
  }
}
