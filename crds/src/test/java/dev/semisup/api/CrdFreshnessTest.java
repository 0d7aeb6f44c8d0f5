package dev.semisup.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD YAML is generated from the Java types at build time; the committed copy (which the Helm
 * chart and kubectl users apply) must be the same, or a type change ships without its schema.
 */
class CrdFreshnessTest {

  static final String FILE = "semisupervisedruns.semisup.dev-v1.yml";
  static final String REGENERATE = "mvn -q -o -pl crds process-classes && cp crds/target/classes/META-INF/fabric8/"
      + FILE + " crds/" + FILE;

  @Test
  void committedCrdIsTheGeneratedOne() throws IOException {
    String generated;
    try (InputStream in = CrdFreshnessTest.class.getResourceAsStream("/META-INF/fabric8/" + FILE)) {
      assertThat(in).as("the crd-generator plugin wrote no " + FILE + " into target/classes").isNotNull();
      generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path committed = Path.of(FILE); // Surefire runs in the module folder: crds/
    assertThat(Files.exists(committed))
        .as("crds/" + FILE + " is missing; create it from the root of the repository with:%n  %s", REGENERATE)
        .isTrue();
    assertThat(Files.readString(committed))
        .as("crds/" + FILE + " differs from the CRD generated from the Java types; regenerate it from the root of "
            + "the repository with:%n  %s%nand commit it", REGENERATE)
        .isEqualTo(generated);
  }
}
