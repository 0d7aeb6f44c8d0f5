package dev.semisup.worker.data;

import java.io.IOException;
import java.util.function.LongPredicate;

/**
 * A view of a labeled or validation set that fails on an image without a class in 0..classes-1:
 * a missing .cls, a wrong class folder or labels file would otherwise train on garbage.
 */
public final class CheckedLabels implements ImageSource {

  private final ImageSource source;
  private final int classes;

  public CheckedLabels(ImageSource source, int classes) {
    this.source = source;
    this.classes = classes;
  }

  /** The error for an image whose label is missing or out of range, or null when it is fine. */
  static BadDataException problem(String sourceName, String key, int label, int classes) {
    return problem(sourceName + ": image " + key, label, classes);
  }

  /** As above, with the image named by the caller: "file:///a/shard-0.tar: member x". */
  static BadDataException problem(String image, int label, int classes) {
    if (label == ImageRecord.UNLABELED) {
      return new BadDataException(image + " has no label");
    }
    if (label < 0 || label >= classes) {
      return new BadDataException(image + " has label " + label
          + ", outside 0.." + (classes - 1) + " (data.classes is " + classes + ")");
    }
    return null;
  }

  @Override
  public ImageStream open(LongPredicate wanted) throws IOException {
    return source.open(wanted).map(image -> {
      BadDataException problem = problem(source.describe(), image.key(), image.label(), classes);
      if (problem != null) {
        throw problem;
      }
      return image;
    });
  }

  @Override
  public String describe() {
    return source.describe();
  }
}
