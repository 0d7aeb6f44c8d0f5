package dev.semisup.worker.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local torch-ddp group with a stand-in trainer written here (a semisup_trainer package that
 * records what each rank was given, and fails or hangs on request), run by Debian's Python with
 * PyTorch (/usr/bin/python3, package python3-torch), as the real trainer would be.
 */
class LocalTrainerGroupTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Writes rank-R.json (argv, environment, pid) into FAKE_OUT; rank FAKE_FAIL_RANK exits FAKE_FAIL_CODE, the others then hang. */
  private static final String FAKE_TRAINER = """
      import json, os, sys, time
      rank = os.environ["RANK"]
      with open(os.path.join(os.environ["FAKE_OUT"], "rank-" + rank + ".json"), "w") as f:
          json.dump({"argv": sys.argv[1:], "pid": os.getpid(), "env": dict(os.environ)}, f)
      fail = os.environ.get("FAKE_FAIL_RANK")
      if fail == rank:
          time.sleep(1)
          sys.exit(int(os.environ["FAKE_FAIL_CODE"]))
      if fail is not None:
          time.sleep(120)
      """;

  @TempDir
  Path dir;

  Path trainer;
  Path out;
  StringWriter err = new StringWriter();

  @BeforeEach
  void aStandInTrainer() throws IOException {
    trainer = dir.resolve("trainer");
    Files.createDirectories(trainer.resolve(LocalTrainerGroup.MODULE));
    Files.writeString(trainer.resolve(LocalTrainerGroup.MODULE).resolve("__init__.py"), "");
    Files.writeString(trainer.resolve(LocalTrainerGroup.MODULE).resolve("__main__.py"), FAKE_TRAINER);
    out = Files.createDirectories(dir.resolve("out"));
  }

  private LocalTrainerGroup group(Path python) {
    return new LocalTrainerGroup(python, trainer, dir.resolve("logs"), new PrintWriter(err, true));
  }

  private Map<String, String> env(String... more) {
    Map<String, String> env = new HashMap<>(Map.of("FAKE_OUT", out.toString(), "SEMISUP_RUN_NAME", "tiny",
        "SEMISUP_SPEC_FILE", "/runs/tiny.yaml", LocalTrainerGroup.ENV_STORE_DIR, "/store/semisup",
        "PYTHONPATH", "/elsewhere"));
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  private JsonNode rank(int rank) throws IOException {
    return JSON.readTree(out.resolve("rank-" + rank + ".json").toFile());
  }

  @Test
  void everyRankOfEveryNodeStartsWithTheTorchrunEnvironmentAndTheWorkers() throws Exception {
    int exit = group(LocalTrainerGroup.DEBIAN_PYTHON).run("finetune-r2", new LocalTrainerGroup.Size(2, 2), env());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out).isDirectoryContaining("glob:**/rank-3.json").isDirectoryNotContaining("glob:**/rank-4.json");
    Set<String> ports = new HashSet<>();
    for (int r = 0; r < 4; r++) {
      JsonNode rank = rank(r);
      JsonNode env = rank.get("env");
      assertThat(rank.get("argv").get(0).asText()).isEqualTo("finetune-r2");
      assertThat(env.get("RANK").asText()).isEqualTo(Integer.toString(r));
      assertThat(env.get("LOCAL_RANK").asText()).isEqualTo(Integer.toString(r % 2));
      assertThat(env.get("NODE_RANK").asText()).isEqualTo(Integer.toString(r / 2));
      assertThat(env.get("WORLD_SIZE").asText()).isEqualTo("4");
      assertThat(env.get("MASTER_ADDR").asText()).isEqualTo("127.0.0.1");
      assertThat(env.get("PYTHONPATH").asText()).isEqualTo(trainer.toAbsolutePath() + ":/elsewhere");
      assertThat(env.get("SEMISUP_RUN_NAME").asText()).isEqualTo("tiny");
      assertThat(env.get("SEMISUP_SPEC_FILE").asText()).isEqualTo("/runs/tiny.yaml");
      assertThat(env.get("SEMISUP_STORE_DIR").asText()).isEqualTo("/store/semisup");
      ports.add(env.get("MASTER_PORT").asText());
    }
    assertThat(ports).as("one rendezvous for the group").hasSize(1);
    assertThat(Integer.parseInt(ports.iterator().next())).isBetween(1, 65535);
  }

  @Test
  void aCpuNodeRunsOneRank() throws Exception {
    int exit = group(LocalTrainerGroup.DEBIAN_PYTHON).run("student", new LocalTrainerGroup.Size(1, 0), env());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(rank(0).get("env").get("WORLD_SIZE").asText()).isEqualTo("1");
    assertThat(out.resolve("rank-1.json")).doesNotExist();
  }

  @Test
  void aFailingRankStopsTheWholeGroupWithItsExitCode() throws Exception {
    long started = System.nanoTime();

    int exit = group(LocalTrainerGroup.DEBIAN_PYTHON).run("student", new LocalTrainerGroup.Size(1, 3),
        env("FAKE_FAIL_RANK", "1", "FAKE_FAIL_CODE", "3"));

    assertThat(exit).isEqualTo(3);
    assertThat((System.nanoTime() - started) / 1e9).as("the others hang for 120 s unless stopped").isLessThan(60);
    for (int r : new int[] {0, 2}) {
      long pid = rank(r).get("pid").asLong();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("rank %d (pid %d)", r, pid).isFalse();
    }
  }

  @Test
  void badInputFromARankIsTheGroupsExitCode() throws Exception {
    int exit = group(LocalTrainerGroup.DEBIAN_PYTHON).run("student", new LocalTrainerGroup.Size(2, 1),
        env("FAKE_FAIL_RANK", "0", "FAKE_FAIL_CODE", "2"));

    assertThat(exit).isEqualTo(2);
  }

  @Test
  void aMissingPythonSaysHowToInstallIt() throws Exception {
    int exit = group(dir.resolve("no-python3")).run("student", new LocalTrainerGroup.Size(1, 1), env());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("semisup: student: " + dir.resolve("no-python3") + " does not exist",
        "apt-get install python3-torch");
    assertThat(out).isEmptyDirectory();
  }

  @Test
  void aPythonWithoutPyTorchSaysHowToInstallIt() throws Exception {
    Path python = dir.resolve("python-without-torch");
    Files.writeString(python, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));

    int exit = group(python).run("student", new LocalTrainerGroup.Size(1, 1), env());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("cannot import torch.distributed (ModuleNotFoundError: No module named 'torch')",
        "apt-get install python3-torch");
    assertThat(out).isEmptyDirectory();
  }

  @Test
  void aMissingTrainerPackageIsNamed() throws Exception {
    Files.delete(trainer.resolve(LocalTrainerGroup.MODULE).resolve("__main__.py"));

    int exit = group(LocalTrainerGroup.DEBIAN_PYTHON).run("student", new LocalTrainerGroup.Size(1, 1), env());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("no trainer at " + trainer.resolve(LocalTrainerGroup.MODULE));
  }
}
