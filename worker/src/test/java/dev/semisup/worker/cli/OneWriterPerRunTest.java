package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.report.RunMarker;
import dev.semisup.worker.run.RunLock;
import dev.semisup.worker.run.RunOwnership;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.store.ObjectStore;
import dev.semisup.worker.store.StoreConnection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `semisup stage` by hand finds the run `semisup run` made of the same manifest, and one process writes a run at a time. */
class OneWriterPerRunTest {

  @TempDir
  Path dir;

  TinyRuns.Result stage(TinyRuns runs, Path manifest, String step) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(new String[] {"stage", step, "--spec-file", manifest.toString(), "--store",
        runs.store().toString()}, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new TinyRuns.Result(exit, out.toString(), err.toString());
  }

  @Test
  void stageByHandUsesTheManifestsNameSoItFindsTheRunAndKeepsOtherRunsApart() throws Exception {
    TinyRuns runs = new TinyRuns(dir);
    Path first = runs.write("first.yaml", runs.manifest("first", ""));
    Path second = runs.write("second.yaml", runs.manifest("second", ""));
    TinyRuns.Result run = runs.run(first);
    assertThat(run.exit()).as(run.err()).isZero();
    byte[] teacher = Files.readAllBytes(runs.prefix("runs/local/first/teacher/model.params"));

    TinyRuns.Result finetune = stage(runs, first, "finetune");
    assertThat(finetune.exit()).as(finetune.err()).isZero();
    assertThat(finetune.out()).contains("finetune: already done");

    TinyRuns.Result other = stage(runs, second, "teacher");
    assertThat(other.exit()).as(other.err()).isZero();
    assertThat(other.out()).contains("teacher: done");
    assertThat(runs.prefix("runs/local/second/teacher/_SUCCESS")).exists();
    assertThat(Files.readAllBytes(runs.prefix("runs/local/first/teacher/model.params"))).isEqualTo(teacher);
    assertThat(runs.prefix("runs/local/second/run.lock")).as("released on exit").doesNotExist();
  }

  @Test
  void aSecondWriterOfARunIsRefusedWithExitTwoNamingTheHolder() throws Exception {
    TinyRuns runs = new TinyRuns(dir);
    Path manifest = runs.write("tiny.yaml", runs.manifest("tiny", ""));
    SemiSupervisedRunSpec spec = Manifests.read(manifest).getSpec();
    ObjectLayout layout = LocalRun.layout(spec, "tiny");
    try (StoreConnection connection = StoreConnection.open(spec.getStorage(), Map.of(), runs.store())) {
      ObjectStore store = connection.artifactStore();
      // The first writer: it claimed the prefix and holds the lock while it runs.
      RunOwnership.claim(store, layout, RunMarker.local("tiny"), false);
      RunLock first = RunLock.acquire(store, layout, "local/tiny");
      TinyRuns.Result second = runs.run(manifest);
      assertThat(second.exit()).isEqualTo(2);
      assertThat(second.err()).contains("run local/tiny is being written by another semisup process: pid "
          + ProcessHandle.current().pid() + " on host ");
      assertThat(runs.prefix("runs/local/tiny/teacher")).as("nothing ran").doesNotExist();

      TinyRuns.Result stage = stage(runs, manifest, "teacher");
      assertThat(stage.exit()).isEqualTo(2);
      assertThat(stage.err()).contains("is being written by another semisup process");
      first.close();
    }
    assertThat(runs.prefix("runs/local/tiny/run.lock")).doesNotExist();
  }
}
