package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data-loss scenario of issue 5: a second run whose prefix is, contains or lies inside a
 * finished run's prefix, started with --fresh, must delete nothing of the first run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunPrefixSafetyTest {

  @TempDir
  static Path dir;

  static TinyRuns runs;

  @BeforeAll
  static void firstRunFinishes() throws IOException {
    runs = new TinyRuns(dir);
    TinyRuns.Result first = runs.run(runs.write("alpha.yaml", runs.manifest("alpha", "")));
    assertThat(first.exit()).as(first.err()).isZero();
  }

  static List<Path> alphaFiles() throws IOException {
    try (Stream<Path> files = Files.walk(runs.prefix("runs/local/alpha"))) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  @Order(1)
  void theFirstRunOwnsItsPrefix() throws IOException {
    assertThat(Files.readString(runs.prefix("runs/local/alpha/run.json"))).contains("\"name\" : \"alpha\"", "\"local\"");
    assertThat(runs.prefix("runs/local/alpha/finetune/_SUCCESS")).exists();
  }

  @Test
  @Order(2)
  void freshOnThePrefixOfAnotherRunDeletesNothing() throws IOException {
    List<Path> before = alphaFiles();
    String sameprefix = runs.manifest("beta", "storage: {prefix: runs/local/alpha}");
    TinyRuns.Result result = runs.run(runs.write("beta.yaml", sameprefix), "--fresh");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("runs/local/alpha", "belongs to run local/alpha, not to run local/beta");
    assertThat(alphaFiles()).isEqualTo(before);
  }

  @Test
  @Order(3)
  void freshOnAPrefixContainingAnotherRunDeletesNothing() throws IOException {
    List<Path> before = alphaFiles();
    String outer = runs.manifest("gamma", "storage: {prefix: runs/local}");
    TinyRuns.Result result = runs.run(runs.write("gamma.yaml", outer), "--fresh");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("runs/local", "no run marker");
    assertThat(alphaFiles()).isEqualTo(before);
  }

  @Test
  @Order(4)
  void aPrefixInsideAnotherRunsPrefixIsRefusedBeforeWritingAnything() throws IOException {
    List<Path> before = alphaFiles();
    String inner = runs.manifest("delta", "storage: {prefix: runs/local/alpha/teacher}");
    TinyRuns.Result result = runs.run(runs.write("delta.yaml", inner), "--fresh");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("lies inside the prefix runs/local/alpha of run local/alpha");
    assertThat(alphaFiles()).isEqualTo(before);
  }

  @Test
  @Order(5)
  void aNameWithASlashNeverReachesTheStore() throws IOException {
    List<Path> before = alphaFiles();
    TinyRuns.Result result = runs.run(runs.write("slash.yaml", runs.manifest("\"alpha/teacher\"", "")), "--fresh");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("metadata.name", "DNS-1123");
    assertThat(alphaFiles()).isEqualTo(before);
  }

  @Test
  @Order(6)
  void freshOnTheRunsOwnPrefixStartsItOver() throws IOException {
    TinyRuns.Result result = runs.run(runs.dir().resolve("alpha.yaml"), "--fresh");

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).doesNotContain("already done");
    assertThat(runs.prefix("runs/local/alpha/run.json")).exists();
  }
}
