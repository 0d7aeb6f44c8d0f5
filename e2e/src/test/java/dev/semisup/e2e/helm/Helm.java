package dev.semisup.e2e.helm;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The helm binary: $HELM_BIN, else .tools/helm/helm of the repository (scripts/install-helm.sh
 * puts it there). Without one the chart tests are skipped on a workstation and fail in CI
 * (CI=true), so a CI that forgot to install helm cannot pass by skipping.
 */
public final class Helm {

  public static final String RELEASE = "semisup";
  public static final String NAMESPACE = "semisup";

  private final Path binary;

  private Helm(Path binary) {
    this.binary = binary;
  }

  public static Helm require() {
    String fromEnv = System.getenv("HELM_BIN");
    Path binary = fromEnv != null && !fromEnv.isBlank()
        ? Path.of(fromEnv)
        : Repo.root().resolve(".tools/helm/helm");
    if (!Files.isExecutable(binary)) {
      String why = "no helm binary at " + binary
          + " (run scripts/install-helm.sh or set HELM_BIN)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(why + "; CI=true, so this is an error, not a skip");
      }
      // Surefire reports a class skipped in @BeforeAll as "Tests run: 0": say why on the console.
      System.err.println("SKIPPED: " + why + ": chart tests skipped");
      assumeTrue(false, why + ": chart tests skipped");
    }
    return new Helm(binary);
  }

  /** helm template of the chart as release semisup in namespace semisup, CRDs included. */
  public Rendered template(String... args) {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "template", RELEASE,
        Repo.chart().toString(), "--namespace", NAMESPACE, "--include-crds"));
    command.addAll(List.of(args));
    return Rendered.parse(String.join(" ", args), run(command));
  }

  Rendered templateDefault() {
    return template();
  }

  Rendered templateAllOptions() {
    return template("-f", Repo.chart().resolve("ci/all-options-values.yaml").toString());
  }

  /**
   * NOTES.txt as helm install would print it. helm template never renders NOTES.txt, so a copy
   * of the chart carries it as a template that prints it under a YAML key.
   */
  String notes(String... args) {
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("chart-notes");
      Path copy = tmp.resolve("semisup-operator");
      try (var files = Files.walk(Repo.chart())) {
        for (Path source : files.toList()) {
          Path target = copy.resolve(Repo.chart().relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target);
          }
        }
      }
      Path notes = copy.resolve("templates/NOTES.txt");
      Files.writeString(copy.resolve("templates/_notes.tpl"),
          "{{- define \"semisup.notes\" -}}\n" + Files.readString(notes) + "{{- end -}}\n");
      Files.delete(notes);
      Files.writeString(copy.resolve("templates/notes.yaml"),
          "notes: |\n{{ include \"semisup.notes\" . | indent 2 }}\n");
      List<String> command = new ArrayList<>(List.of(binary.toString(), "template", RELEASE, copy.toString(),
          "--namespace", NAMESPACE, "--show-only", "templates/notes.yaml"));
      command.addAll(List.of(args));
      String yaml = run(command);
      return new YAMLMapper().readTree(yaml).path("notes").asText();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      deleteTree(tmp);
    }
  }

  /** Runs helm and returns stdout; fails the test with helm's stderr when it exits non-zero. */
  String run(List<String> command) {
    Path home = null;
    try {
      home = Files.createTempDirectory("helm-home");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectError(home.resolve("stderr").toFile());
      // Keep helm's cache and config out of the user's home.
      builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
      builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
      builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
      Process process = builder.start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("helm did not finish in 60 s: " + command);
      }
      if (process.exitValue() != 0) {
        fail("helm failed (" + process.exitValue() + "): " + command + "\n"
            + Files.readString(home.resolve("stderr")));
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      deleteTree(home);
    }
  }

  private static void deleteTree(Path root) {
    if (root == null) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // A leftover temporary folder is not worth failing a test for.
    }
  }

  /** Runs helm template and returns its exit code and stderr, for values the schema must refuse. */
  Result tryTemplate(String... args) {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "template", RELEASE,
        Repo.chart().toString(), "--namespace", NAMESPACE));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor(60, TimeUnit.SECONDS);
      return new Result(process.exitValue(), out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  record Result(int exitCode, String output) {
  }
}
