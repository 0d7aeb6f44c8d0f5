package dev.semisup.api.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/crd-reference.md is generated from the CRD types; the committed page must be what they
 * generate now, or a field ships undocumented (or documented as it was). With
 * {@code -Dsemisup.regenerate=true} the test writes the page instead.
 */
class CrdReferenceTest {

  private static final Path PAGE = Path.of("..").resolve(CrdReference.PAGE); // Surefire runs in crds/

  @Test
  void committedReferenceIsTheGeneratedOne() throws IOException {
    String generated = CrdReference.render();
    if (Boolean.getBoolean("semisup.regenerate")) {
      Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(PAGE))
        .as("%s is missing; generate it from the root of the repository with:%n  %s", CrdReference.PAGE,
            CrdReference.REGENERATE)
        .isTrue();
    assertThat(Files.readString(PAGE))
        .as("%s differs from the reference generated from the CRD types; regenerate it from the root of the"
            + " repository with:%n  %s%nand commit it", CrdReference.PAGE, CrdReference.REGENERATE)
        .isEqualTo(generated);
  }

  @Test
  void everyFieldOfTheSchemaHasARowWithItsLimitsAndDefault() throws IOException {
    String page = CrdReference.render();
    assertThat(page)
        .contains("| `spec.data.imageSize` | integer |  | 8..1024 |")
        .contains("| `spec.data.channels` | integer |  | rule: data.channels must be 1 or 3 |")
        .contains("| `spec.sampling.checkpointFiles` | integer | `64` | >= 1 |")
        .contains("| `spec.teacher.input.channels` | integer |  | required; rule: teacher.input.channels must be 1 or 3 |")
        .contains("| `spec.resources.steps.<name>.cpu` |")
        .contains("| `spec.student.finetuning.epochs` | integer | `10` | >= 1 | Passes over the training data |")
        .contains("| `spec.resources.tolerations` | array of Kubernetes Toleration |")
        .doesNotContain("`spec.resources.tolerations[]")
        .contains("| `status.stages[].shardsDone` | integer |");
  }
}
