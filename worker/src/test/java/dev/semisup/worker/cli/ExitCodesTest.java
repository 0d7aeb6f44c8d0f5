package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.UserFixableError;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.validation.Problem;
import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.experiment.GridException;
import dev.semisup.worker.experiment.Pipeline;
import dev.semisup.worker.input.InvalidSettingException;
import dev.semisup.worker.model.card.InvalidModelCardException;
import dev.semisup.worker.predict.ModelNotFoundException;
import dev.semisup.worker.predict.PredictInputException;
import dev.semisup.worker.report.InvalidRunRecordException;
import dev.semisup.worker.stages.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every kind of error a user can fix exits 2 with its own message, and any other exits 1, through
 * the command line {@link Semisup} builds: a subcommand only throws, the mapping is set once there.
 */
class ExitCodesTest {

  @TempDir
  Path dir;

  record Outcome(int exit, String out, String err) {
  }

  @CommandLine.Command(name = "probe")
  static final class Probe implements Callable<Integer> {
    private final Exception failure;

    Probe(Exception failure) {
      this.failure = failure;
    }

    @Override
    public Integer call() throws Exception {
      throw failure;
    }
  }

  private Outcome probe(Exception failure) throws IOException {
    // As in a pod, where Kubernetes provides the (empty) file the container writes.
    Files.write(dir.resolve("termination-log"), new byte[0]);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Map<String, String> env = Map.of(ExitCodes.ENV_TERMINATION_LOG, dir.resolve("termination-log").toString());
    CommandLine commandLine = Semisup.commandLine(env, new PrintWriter(out, true), new PrintWriter(err, true));
    commandLine.addSubcommand("probe", new Probe(failure));
    return new Outcome(commandLine.execute("probe"), out.toString(), err.toString());
  }

  private static Outcome semisup(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(exit, out.toString(), err.toString());
  }

  static Stream<Exception> userFixableErrors() {
    return Stream.of(
        new ManifestException("run.yaml", List.of(new Problem("spec.data.classes", "must be at least 2, was 1"))),
        new BadInputException("spec.teacher.checkpointUri: s3://b/t.params does not exist"),
        new BadDataException("file:///d/a.tar: truncated at offset 1536"),
        new InvalidSettingException("--top must be at least 1, was 0"),
        new GridException("grid.yaml", "axes", "spec.sampling.topK has no values"),
        new InvalidModelCardException("model-card.json: parameters.format is npz"),
        new ModelNotFoundException("--model file:///m: no model-card.json there"),
        new PredictInputException("x.gif: not an image, folder, tar shard or IDX file"),
        new InvalidRunRecordException("summary.json: declares 3 classes but describes 2"));
  }

  @ParameterizedTest
  @MethodSource("userFixableErrors")
  void everyUserFixableErrorExitsTwoWithItsMessage(Exception error) throws IOException {
    assertThat(error).isInstanceOf(UserFixableError.class);
    Outcome outcome = probe(error);

    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.err()).isEqualTo("semisup: " + error.getMessage() + System.lineSeparator());
    assertThat(Files.readString(dir.resolve("termination-log"))).isEqualTo(error.getMessage());
  }

  @Test
  void aCommandsFailureKeepsItsCausesExitCodeAndSaysWhatItWasDoing() throws IOException {
    Outcome user = probe(CommandFailure.naming("teacher", new BadDataException("a.tar: truncated at offset 9")));
    Outcome machine = probe(CommandFailure.of("run 'r'", new IOException("s3://b/k: connection reset")));

    assertThat(user.exit()).isEqualTo(2);
    assertThat(user.err()).isEqualTo("semisup: teacher: a.tar: truncated at offset 9" + System.lineSeparator());
    assertThat(machine.exit()).isEqualTo(1);
    assertThat(machine.err()).isEqualTo("semisup: run 'r' failed: s3://b/k: connection reset" + System.lineSeparator());
  }

  @Test
  void anyOtherErrorExitsOneAndAProgramErrorKeepsItsType() throws IOException {
    assertThat(probe(new IOException("disk full")).exit()).isEqualTo(1);
    Outcome bug = probe(new IllegalStateException("no teacher step"));
    assertThat(bug.exit()).isEqualTo(1);
    assertThat(bug.err()).contains("java.lang.IllegalStateException: no teacher step");
    // An experiment's failed run keeps the exit code the run had.
    assertThat(probe(new Pipeline.RunFailedException(2, "grid.yaml (run a): spec.data: bad")).exit()).isEqualTo(2);
    assertThat(probe(new Pipeline.RunFailedException(1, "run 'a' failed: reset")).exit()).isEqualTo(1);
  }

  @Test
  void eachCommandsOwnUserErrorsExitTwoThroughTheRealCommandLine() throws IOException {
    Outcome top = semisup("predict", "--model", dir.toString(), "--top", "0", "x.png");
    assertThat(top.exit()).isEqualTo(2);
    assertThat(top.err()).contains("--top must be at least 1");

    Outcome noGrid = semisup("experiment", dir.resolve("missing.yaml").toString(), "--dir", dir.resolve("e").toString());
    assertThat(noGrid.exit()).isEqualTo(2);
    assertThat(noGrid.err()).contains("missing.yaml");

    Outcome noRun = semisup("report", dir.toUri().toString());
    assertThat(noRun.exit()).isEqualTo(2);
    assertThat(noRun.err()).contains("no run here");

    Path spec = Files.writeString(dir.resolve("spec.yaml"), InvalidManifestTest.VALID.formatted(dir.toAbsolutePath()));
    Outcome unknownStep = semisup("stage", "nosuchstep", "--spec-file", spec.toString());
    assertThat(unknownStep.exit()).isEqualTo(2);
    assertThat(unknownStep.err()).contains("nosuchstep");
  }

  @Test
  void dataCacheIsAnOptionOfTheCommandsThatMayDownloadOnly() {
    // A mixin option of run and experiment; the others refuse it as any unknown option (usage, exit 2).
    for (String command : List.of("run", "experiment")) {
      assertThat(Semisup.commandLine(Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
          .getSubcommands().get(command).getCommandSpec().findOption("--data-cache")).as(command).isNotNull();
    }
    Outcome stage = semisup("stage", "teacher", "--data-cache", dir.toString());
    assertThat(stage.exit()).isEqualTo(2);
    assertThat(stage.err()).contains("Unknown option", "--data-cache");
    assertThat(semisup("run").exit()).as("a missing argument").isEqualTo(2);
  }
}
