package dev.semisup.e2e.helm;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository, found from the working directory Maven runs the tests in. */
final class Repo {

  static final String CRD_FILE = "semisupervisedruns.semisup.dev-v1.yml";

  private Repo() {
  }

  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
      if (Files.isRegularFile(candidate.resolve("helm/semisup-operator/Chart.yaml"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no helm/semisup-operator/Chart.yaml above " + dir);
  }

  static Path chart() {
    return root().resolve("helm/semisup-operator");
  }

  static Path chartCrd() {
    return chart().resolve("crds").resolve(CRD_FILE);
  }

  /** The CRD the crds module commits next to its sources. */
  static Path committedCrd() {
    return root().resolve("crds").resolve(CRD_FILE);
  }

  /** The CRD the crd-generator plugin writes when the crds module builds. */
  static Path generatedCrd() {
    return root().resolve("crds/target/classes/META-INF/fabric8").resolve(CRD_FILE);
  }
}
