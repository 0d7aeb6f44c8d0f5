package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The smoke manifest reads Debian's Fashion-MNIST; CI installs it, so there it must be present. */
final class FashionMnistFiles {

  private FashionMnistFiles() {
  }

  static void require() {
    boolean present = Files.isReadable(Path.of(FashionMnist.DEBIAN_DIR, "train-images-idx3-ubyte.gz"));
    if ("true".equals(System.getenv("CI"))) {
      assertThat(present).as("CI must install dataset-fashion-mnist (.ci/run does)").isTrue();
    }
    Assumptions.assumeTrue(present, "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist");
  }

  static Path example(String name) {
    Path here = Path.of("").toAbsolutePath();
    Path candidate = here.resolve("examples").resolve(name);
    return Files.exists(candidate) ? candidate : here.getParent().resolve("examples").resolve(name);
  }
}
