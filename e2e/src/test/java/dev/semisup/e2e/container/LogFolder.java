package dev.semisup.e2e.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A container test's folder of pod and operator logs: emptied when the test starts and kept
 * after it, for a CI that shows what failed.
 */
final class LogFolder {

  private LogFolder() {
  }

  static Path fresh(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    return dir;
  }
}
