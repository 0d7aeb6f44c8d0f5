package dev.semisup.worker.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.report.StepTiming;
import dev.semisup.api.report.TrainingHistory;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.progress.ProgressListener;
import dev.semisup.worker.run.StageRunner;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.store.ObjectStore;
import dev.semisup.worker.store.UriBlobs;
import dev.semisup.worker.testing.TinyDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A training stage killed mid-way resumes from its checkpoint and ends exactly where an uninterrupted run ends. */
class TrainingStageResumeTest {

  @TempDir
  Path dir;

  StageContext teacher(SemiSupervisedRunSpec spec, Path storeRoot, ProgressListener listener) {
    StagePlan plan = StagePlan.of(spec);
    ObjectStore store = new LocalDirectoryStore(storeRoot);
    return StageContext.builder("tiny", spec).plan(plan).step(plan.require("teacher"), 0)
        .artifacts(new ObjectLayout("runs/tiny"), store)
        .data(UriBlobs.filesOnly(new FileBlobs(), "tests read files only")).progress(listener, Duration.ZERO).build();
  }

  @Test
  void killedAfterTwoEpochsThenRerunGivesTheUninterruptedParameters() throws Exception {
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    SemiSupervisedRunSpec spec = Manifests.parse(TinyDataset.manifest("tiny",
        data.toUri().toString().replaceFirst("^file:/(?!/)", "file:///"), ""), "tiny").getSpec();

    StageRunner.run(teacher(spec, dir.resolve("uninterrupted"), ProgressListener.NONE));
    byte[] expected = Files.readAllBytes(dir.resolve("uninterrupted/runs/tiny/teacher/model.params"));

    ProgressListener killInEpochThree = progress -> {
      if (progress.epoch() == 3) {
        throw new IllegalStateException("pod killed");
      }
    };
    assertThatThrownBy(() -> StageRunner.run(teacher(spec, dir.resolve("killed"), killInEpochThree)))
        .hasMessage("pod killed");
    Path killed = dir.resolve("killed/runs/tiny/teacher");
    assertThat(killed.resolve("_SUCCESS")).doesNotExist();
    assertThat(killed.resolve("model.params")).doesNotExist();
    assertThat(killed.resolve("checkpoints/epoch-0002.ckpt")).exists();

    StageRunner.run(teacher(spec, dir.resolve("killed"), ProgressListener.NONE));
    assertThat(Files.readAllBytes(killed.resolve("model.params"))).isEqualTo(expected);
    ObjectMapper json = new ObjectMapper();
    StageMetrics resumed = json.readValue(killed.resolve("metrics.json").toFile(), StageMetrics.class);
    StageMetrics straight = json.readValue(dir.resolve("uninterrupted/runs/tiny/teacher/metrics.json").toFile(), StageMetrics.class);
    assertThat(resumed.accuracy()).isEqualTo(straight.accuracy());
    assertThat(resumed.loss()).isEqualTo(straight.loss());

    // The history survives the kill: every epoch once, with the uninterrupted run's numbers.
    TrainingHistory history = json.readValue(killed.resolve("history.json").toFile(), TrainingHistory.class);
    TrainingHistory straightHistory = json.readValue(
        dir.resolve("uninterrupted/runs/tiny/teacher/history.json").toFile(), TrainingHistory.class);
    assertThat(history.epochs()).extracting(TrainingHistory.Epoch::epoch).containsExactly(1, 2, 3);
    for (int epoch = 1; epoch <= 3; epoch++) {
      TrainingHistory.Epoch a = history.epoch(epoch);
      TrainingHistory.Epoch b = straightHistory.epoch(epoch);
      assertThat(a.loss()).isEqualTo(b.loss());
      assertThat(a.validationAccuracy()).isEqualTo(b.validationAccuracy());
      assertThat(a.validationLoss()).isEqualTo(b.validationLoss());
    }
    // The step's metrics are its last epoch's validation.
    assertThat(history.epoch(3).validationAccuracy()).isEqualTo(resumed.accuracy());
    StepTiming timing = json.readValue(killed.resolve("timing.json").toFile(), StepTiming.class);
    assertThat(timing.attempts()).isEqualTo(2);
    assertThat(timing.finishedAt()).isNotNull();
    assertThat(timing.seconds()).isNotNegative();
  }

  @Test
  void validatingEveryOtherEpochTrainsTheSameModelAndValidatesTheLastEpoch() throws Exception {
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    String manifest = TinyDataset.manifest("tiny", data.toUri().toString().replaceFirst("^file:/(?!/)", "file:///"), "");
    SemiSupervisedRunSpec everyEpoch = Manifests.parse(manifest, "tiny").getSpec();
    SemiSupervisedRunSpec everyOther = Manifests.parse(manifest, "tiny").getSpec();
    everyOther.getData().setValidateEveryEpochs(2);

    StageRunner.run(teacher(everyEpoch, dir.resolve("every"), ProgressListener.NONE));
    StageRunner.run(teacher(everyOther, dir.resolve("other"), ProgressListener.NONE));
    Path every = dir.resolve("every/runs/tiny/teacher");
    Path other = dir.resolve("other/runs/tiny/teacher");
    assertThat(Files.readAllBytes(other.resolve("model.params"))).isEqualTo(Files.readAllBytes(every.resolve("model.params")));

    ObjectMapper json = new ObjectMapper();
    TrainingHistory history = json.readValue(other.resolve("history.json").toFile(), TrainingHistory.class);
    TrainingHistory full = json.readValue(every.resolve("history.json").toFile(), TrainingHistory.class);
    assertThat(history.epochs()).extracting(TrainingHistory.Epoch::epoch).containsExactly(1, 2, 3);
    assertThat(history.epochs()).extracting(TrainingHistory.Epoch::validated).containsExactly(false, true, true);
    assertThat(Files.readString(other.resolve("history.json"))).as("an epoch not validated has no validation keys")
        .containsOnlyOnce("\"epoch\" : 1,").doesNotContain("\"validationAccuracy\" : null");
    assertThat(history.epoch(1).loss()).isEqualTo(full.epoch(1).loss());
    assertThat(history.epoch(2).validationAccuracy()).isEqualTo(full.epoch(2).validationAccuracy());
    StageMetrics metrics = json.readValue(other.resolve("metrics.json").toFile(), StageMetrics.class);
    assertThat(metrics.accuracy()).isEqualTo(history.epoch(3).validationAccuracy())
        .isEqualTo(full.epoch(3).validationAccuracy());
  }
}
