package dev.semisup.worker.model.card;

import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.worker.data.formats.FolderSource;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.store.Blobs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The names of a run's classes in label order, where the data has them: a folder set's class
 * folders (the labeled set's, which number the classes), the published names of Fashion-MNIST and
 * CIFAR-10; otherwise the class numbers as text.
 */
public final class ClassNames {

  /** Fashion-MNIST's labels 0..9, as its authors publish them (Xiao et al., 2017). */
  static final List<String> FASHION_MNIST = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** CIFAR-10's labels 0..9 (batches.meta.txt of the binary version). */
  static final List<String> CIFAR_10 = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
      "horse", "ship", "truck");

  private ClassNames() {
  }

  public static List<String> of(DataSpec data, Blobs blobs) throws IOException {
    int classes = data.getClasses();
    DataSourceSpec labeled = data.getLabeled();
    DataFormat format = labeled == null ? null : labeled.getFormat();
    if (format == DataFormat.FOLDER) {
      FolderSource folder = new FolderSource(blobs, labeled.getUri(), true, false, ImageGeometry.of(data), Long.MAX_VALUE,
          FolderSource.ClassFolders.count("spec.data.labeled.uri", classes));
      return folder.classNames();
    }
    if (format == DataFormat.IDX && classes == FASHION_MNIST.size()
        && labeled.getUri().toLowerCase(Locale.ROOT).contains("fashion")) {
      return FASHION_MNIST;
    }
    if (format == DataFormat.CIFAR && classes == CIFAR_10.size()) {
      return CIFAR_10;
    }
    return numbers(classes);
  }

  /** "0", "1", ...: names for data whose classes have none. */
  public static List<String> numbers(int classes) {
    List<String> names = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      names.add(Integer.toString(c));
    }
    return names;
  }
}
