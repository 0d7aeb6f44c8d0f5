package dev.semisup.worker.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/** Reads a whole pass of a source in a test. */
public final class Passes {

  private Passes() {
  }

  public static List<ImageRecord> readAll(ImageSource source) throws IOException {
    return readAll(source, ordinal -> true);
  }

  public static List<ImageRecord> readAll(ImageSource source, LongPredicate wanted) throws IOException {
    List<ImageRecord> images = new ArrayList<>();
    try (ImageStream stream = source.open(wanted)) {
      ImageRecord image;
      while ((image = stream.next()) != null) {
        images.add(image);
      }
    }
    return images;
  }

  public static long skipped(ImageSource source) throws IOException {
    try (ImageStream stream = source.open()) {
      while (stream.next() != null) {
        // drain
      }
      return stream.skipped();
    }
  }

  public static List<Long> ordinals(List<ImageRecord> images) {
    return images.stream().map(ImageRecord::ordinal).toList();
  }
}
