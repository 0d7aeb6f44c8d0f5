package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * e2e/recorded/operator-api-requests.txt: every (verb, group/resource[/subresource]) the operator
 * sent to the API server in the e2e tests, one per line, sorted. The Helm chart's RBAC is checked
 * against it. Each test class that runs the operator regenerates its share under target/ and fails
 * when the committed file lacks a line; {@code -Dsemisup.updateRecorded=true} adds the lines.
 */
final class RecordedApiRequests {

  static final Path RECORDED = Path.of("recorded/operator-api-requests.txt");

  private RecordedApiRequests() {
  }

  static void check(String source, Set<String> made) throws IOException {
    Path regenerated = Path.of("target/operator-api-requests-" + source + ".txt");
    Files.createDirectories(regenerated.getParent());
    Files.write(regenerated, made);
    Set<String> recorded = Files.exists(RECORDED) ? new TreeSet<>(Files.readAllLines(RECORDED)) : new TreeSet<>();
    Set<String> missing = new TreeSet<>(made);
    missing.removeAll(recorded);
    if (!missing.isEmpty() && Boolean.getBoolean("semisup.updateRecorded")) {
      recorded.addAll(missing);
      Files.write(RECORDED, recorded);
      missing.clear();
    }
    assertThat(missing).as("e2e/%s lacks calls the operator made (all of them: e2e/%s); add them with%n"
        + "  mvn -o -pl e2e -am test -Dsemisup.updateRecorded=true -Dtest='dev.semisup.e2e.**' "
        + "-Dsurefire.failIfNoSpecifiedTests=false%nor by hand (one line each, sorted), then check the Helm chart's RBAC",
        RECORDED, regenerated).isEmpty();
  }
}
