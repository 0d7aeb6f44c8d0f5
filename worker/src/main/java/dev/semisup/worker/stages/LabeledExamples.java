package dev.semisup.worker.stages;

import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.train.Examples;
import java.io.IOException;

/** The labeled set in memory as hard-label training examples (it is small by definition). */
public final class LabeledExamples {

  private LabeledExamples() {
  }

  public static Examples read(ImageSource labeled, int classes) throws IOException {
    Examples examples = new Examples(classes);
    addAll(examples, labeled);
    if (examples.size() == 0) {
      throw new BadInputException(labeled.describe() + ": the labeled set is empty");
    }
    return examples;
  }

  public static void addAll(Examples examples, ImageSource labeled) throws IOException {
    try (ImageStream stream = labeled.open()) {
      for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
        if (!image.labeled() || image.label() >= examples.classes()) {
          throw new BadInputException(labeled.describe() + ": image " + image.key() + " has label " + image.label()
              + ", outside 0.." + (examples.classes() - 1) + " (spec.data.classes)");
        }
        examples.addHard(image, image.label());
      }
    }
  }
}
