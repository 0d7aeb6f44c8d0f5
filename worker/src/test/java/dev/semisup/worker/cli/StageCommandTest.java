package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.EngineType;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.cli.Semisup;
import dev.semisup.worker.testing.TinyDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `semisup stage STEP` as a pod runs it: spec from the environment, shard from JOB_COMPLETION_INDEX. */
class StageCommandTest {

  @TempDir
  Path dir;

  record Result(int exit, String out, String err) {
  }

  Result stage(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] full = new String[args.length + 3];
    full[0] = "stage";
    System.arraycopy(args, 0, full, 1, args.length);
    full[args.length + 1] = "--store";
    full[args.length + 2] = dir.resolve("store").toString();
    int exit = Semisup.execute(full, env, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  Map<String, String> podEnvironment() throws Exception {
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    SemiSupervisedRun run = Manifests.parse(TinyDataset.manifest("tiny", data.toUri().toString()
        .replaceFirst("^file:/(?!/)", "file:///"), ""), "tiny");
    Map<String, String> env = new HashMap<>();
    env.put(WorkerContract.ENV_SPEC, Manifests.toJson(run.getSpec()));
    env.put(WorkerContract.ENV_RUN_NAME, "tiny");
    env.put(WorkerContract.ENV_RUN_NAMESPACE, "team-a");
    env.put(WorkerContract.ENV_STORE_PREFIX, "runs/team-a/tiny");
    env.put("SEMISUP_TERMINATION_LOG", dir.resolve("termination-log").toString());
    return env;
  }

  @Test
  void everyStepRunsFromThePodEnvironmentAndARerunDoesNothing() throws Exception {
    Map<String, String> env = podEnvironment();
    Files.writeString(dir.resolve("termination-log"), "");
    Path run = dir.resolve("store/semisup/runs/team-a/tiny");

    assertThat(stage(env, "teacher").exit()).isZero();
    for (int shard = 0; shard < 2; shard++) {
      Map<String, String> pod = new HashMap<>(env);
      pod.put(WorkerContract.ENV_SHARD_INDEX, Integer.toString(shard));
      Result infer = stage(pod, "infer");
      assertThat(infer.exit()).as(infer.err()).isZero();
      assertThat(infer.out()).contains("infer shard " + shard + ": done");
    }
    assertThat(run.resolve("candidates/_SUCCESS")).exists();
    assertThat(stage(env, "select").exit()).isZero();
    for (int shard = 0; shard < 2; shard++) {
      Map<String, String> pod = new HashMap<>(env);
      pod.put(WorkerContract.ENV_SHARD_INDEX, Integer.toString(shard));
      Result pack = stage(pod, "pack");
      assertThat(pack.exit()).as(pack.err()).isZero();
    }
    assertThat(run.resolve("packed/_SUCCESS")).exists();
    assertThat(stage(env, "student").exit()).isZero();
    assertThat(stage(env, "finetune").exit()).isZero();

    RunReport report = new ObjectMapper().readValue(run.resolve("report.json").toFile(), RunReport.class);
    assertThat(report.run()).isEqualTo("tiny");
    assertThat(report.finalAccuracy()).as("3 classes: chance is 1/3").isGreaterThan(0.5);

    byte[] model = Files.readAllBytes(run.resolve("teacher/model.params"));
    Result again = stage(env, "teacher");
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("teacher: already done");
    assertThat(Files.readAllBytes(run.resolve("teacher/model.params"))).isEqualTo(model);
  }

  @Test
  void aStepOutsideThePlanIsBadInput() throws Exception {
    Result result = stage(podEnvironment(), "distill");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("step 'distill' is not in this run's plan [teacher, infer, select, pack, student, finetune]");
  }

  @Test
  void aStepWhoseInputIsMissingFailsWithItsMessageInTheTerminationLog() throws Exception {
    Map<String, String> env = podEnvironment();
    Files.writeString(dir.resolve("termination-log"), "");
    Result result = stage(env, "student");
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err()).contains("pack has not finished");
    assertThat(Files.readString(dir.resolve("termination-log"))).contains("student failed", "pack has not finished");
    assertThat(dir.resolve("store/semisup/runs/team-a/tiny/student/_SUCCESS")).doesNotExist();
  }

  @Test
  void noSpecInTheEnvironmentIsBadInput() throws IOException {
    Result result = stage(Map.of(), "teacher");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains(WorkerContract.ENV_SPEC);
  }

  @Test
  void aPodOfAnotherRunOnTheSamePrefixFailsBeforeWritingAnything() throws Exception {
    Map<String, String> env = podEnvironment();
    Path run = Files.createDirectories(dir.resolve("store/semisup/runs/team-a/tiny"));
    Files.writeString(run.resolve("run.json"), "{\"namespace\":\"team-a\",\"name\":\"tiny\",\"uid\":\"uid-old\"}");
    env.put(WorkerContract.ENV_RUN_UID, "uid-new");

    Result result = stage(env, "teacher");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("runs/team-a/tiny", "belongs to run team-a/tiny (uid uid-old)",
        "spec.storage.reuseArtifacts");
    try (var files = Files.list(run)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("run.json");
    }
  }

  @Test
  void aPodWithABadRunNameIsBadInput() throws Exception {
    Map<String, String> env = podEnvironment();
    env.put(WorkerContract.ENV_RUN_NAME, "Tiny_Run");
    Result result = stage(env, "teacher");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains(WorkerContract.ENV_RUN_NAME, "DNS-1123");
  }

  @Test
  void completeOfAStepTheWorkerTrainsIsBadInput() throws Exception {
    Result result = stage(podEnvironment(), WorkerContract.COMPLETE_OPTION, "teacher");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("teacher trains on the worker's own engine", WorkerContract.COMPLETE_OPTION);
    assertThat(dir.resolve("store/semisup/runs/team-a/tiny/teacher")).doesNotExist();
  }

  @Test
  void completeBeforeTheTrainerWroteItsSuccessIsBadInputNamingTheMarker() throws Exception {
    Map<String, String> env = podEnvironment();
    SemiSupervisedRunSpec spec = Manifests.parseSpec(env.get(WorkerContract.ENV_SPEC), "env");
    spec.getTeacher().setEngine(new EngineSpec(EngineType.TORCH_DDP, 2, 0));
    env.put(WorkerContract.ENV_SPEC, Manifests.toJson(spec));
    Files.writeString(dir.resolve("termination-log"), "");

    Result result = stage(env, WorkerContract.COMPLETE_OPTION, "teacher");

    assertThat(result.exit()).as(result.err()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("termination-log"))).contains("teacher: its trainer has not finished",
        "runs/team-a/tiny/teacher/_SUCCESS does not exist");
  }

  @Test
  void claimOfANewPrefixWritesTheRunMarkerAndNothingElse() throws Exception {
    Map<String, String> env = podEnvironment();
    env.put(WorkerContract.ENV_RUN_UID, "uid-1");

    Result result = stage(env, WorkerContract.CLAIM_OPTION, "teacher");

    assertThat(result.exit()).as(result.err()).isZero();
    Path run = dir.resolve("store/semisup/runs/team-a/tiny");
    try (var files = Files.walk(run)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> run.relativize(p).toString())).containsExactly("run.json");
    }
    assertThat(new ObjectMapper().readTree(run.resolve("run.json").toFile()).toString())
        .contains("\"namespace\":\"team-a\"", "\"name\":\"tiny\"", "\"uid\":\"uid-1\"");
    assertThat(stage(env, WorkerContract.CLAIM_OPTION, "teacher").exit()).as("the run's own prefix, claimed again").isZero();
  }

  @Test
  void claimOfAnotherRunsPrefixIsBadInputNamingTheOwner() throws Exception {
    Map<String, String> env = podEnvironment();
    Path run = Files.createDirectories(dir.resolve("store/semisup/runs/team-a/tiny"));
    String owner = "{\"namespace\":\"team-b\",\"name\":\"other\",\"uid\":\"uid-b\"}";
    Files.writeString(run.resolve("run.json"), owner);
    Files.writeString(dir.resolve("termination-log"), "");

    Result result = stage(env, WorkerContract.CLAIM_OPTION, "student");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("termination-log"))).contains("runs/team-a/tiny",
        "belongs to run team-b/other (uid uid-b), not to run team-a/tiny");
    assertThat(Files.readString(run.resolve("run.json"))).isEqualTo(owner);
    try (var files = Files.list(run)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("run.json");
    }
  }

  @Test
  void claimOfAPrefixHoldingObjectsButNoMarkerIsBadInput() throws Exception {
    Map<String, String> env = podEnvironment();
    Path run = Files.createDirectories(dir.resolve("store/semisup/runs/team-a/tiny/teacher"));
    Files.writeString(run.resolve("model.pt"), "someone's module");
    Files.writeString(dir.resolve("termination-log"), "");

    Result result = stage(env, WorkerContract.CLAIM_OPTION, "teacher");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("termination-log"))).contains("runs/team-a/tiny",
        "already holds 1 object(s)", "but no run marker (run.json)");
    assertThat(run.getParent().resolve("run.json")).doesNotExist();
  }

  @Test
  void claimAndCompleteTogetherAreBadInput() throws Exception {
    Result result = stage(podEnvironment(), WorkerContract.CLAIM_OPTION, WorkerContract.COMPLETE_OPTION, "teacher");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("--claim and --complete exclude each other");
    assertThat(dir.resolve("store/semisup/runs/team-a/tiny")).doesNotExist();
  }
}
