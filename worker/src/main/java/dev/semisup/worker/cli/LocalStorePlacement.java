package dev.semisup.worker.cli;

import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.Problem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A local store directory must not lie inside a data source, nor a data source inside the store:
 * the next step would read the run's own artifacts back as images (or a --fresh would delete data).
 * Checked up front, by real paths (symbolic links resolved), naming both.
 */
final class LocalStorePlacement {

  private LocalStorePlacement() {
  }

  static List<Problem> overlaps(Path storeDirectory, SemiSupervisedRunSpec spec) {
    Path store = real(storeDirectory);
    List<Problem> problems = new ArrayList<>();
    for (Map.Entry<String, String> source : fileUris(spec).entrySet()) {
      Path data;
      try {
        data = real(Path.of(URI.create(source.getValue())));
      } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException notAPath) {
        continue;
      }
      if (store.startsWith(data)) {
        problems.add(new Problem(source.getKey(), "the store directory " + store + " lies inside this data source ("
            + data + "): its artifacts would be read back as data; choose a --store outside it"));
      } else if (data.startsWith(store)) {
        problems.add(new Problem(source.getKey(), "this data source (" + data + ") lies inside the store directory "
            + store + ": choose a --store outside the data"));
      }
    }
    return problems;
  }

  private static Map<String, String> fileUris(SemiSupervisedRunSpec spec) {
    Map<String, String> uris = new LinkedHashMap<>();
    String[] names = {"labeled", "unlabeled", "validation"};
    DataSourceSpec[] sources = {spec.getData().getLabeled(), spec.getData().getUnlabeled(), spec.getData().getValidation()};
    for (int i = 0; i < names.length; i++) {
      if (sources[i] == null) {
        continue;
      }
      put(uris, "spec.data." + names[i] + ".uri", sources[i].getUri());
      put(uris, "spec.data." + names[i] + ".labelsUri", sources[i].getLabelsUri());
    }
    return uris;
  }

  private static void put(Map<String, String> uris, String field, String uri) {
    if (uri != null && uri.startsWith("file:")) {
      uris.put(field, uri);
    }
  }

  /** The real path of the longest existing ancestor, with the rest appended: links resolved, even for a new store. */
  private static Path real(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return absolute;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(absolute));
    } catch (IOException e) {
      return absolute;
    }
  }
}
