package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run whose training diverges stops there, naming stage, epoch and learning rate; a diverged model scores nothing. */
class DivergingRunTest {

  @TempDir
  Path dir;

  @Test
  void aTeacherWithAHugeLearningRateStopsAtTheFirstNonFiniteLossWithoutSuccess() throws IOException {
    TinyRuns runs = new TinyRuns(dir);
    String manifest = runs.manifest("diverging", "")
        .replace("training: {epochs: 3, batchSize: 10, learningRate: 0.02", "training: {epochs: 3, batchSize: 10, learningRate: 1e6");

    TinyRuns.Result result = runs.run(runs.write("diverging.yaml", manifest));

    assertThat(result.exit()).as(result.out()).isEqualTo(2);
    assertThat(result.err()).contains("teacher: training diverged", "at epoch", "spec.teacher.training.learningRate is 1000000.0")
        .doesNotContain("Exception");
    Path teacher = runs.prefix("runs/local/diverging/teacher");
    assertThat(teacher.resolve("_SUCCESS")).doesNotExist();
    assertThat(teacher.resolve("model.params")).doesNotExist();
    assertThat(runs.prefix("runs/local/diverging/candidates")).doesNotExist();
  }

  @Test
  void inferRefusesATeacherCheckpointWhoseParametersAreNotFinite() throws Exception {
    TinyRuns runs = new TinyRuns(dir);
    String manifest = runs.manifest("given", "");
    SemiSupervisedRunSpec spec = Manifests.parse(manifest, "given.yaml").getSpec();
    Path checkpoint = dir.resolve("diverged-teacher.params");
    try (Network network = Network.create("cnn-small", ModelShape.of(spec.getData()), Regularization.NONE, 1);
        OutputStream out = Files.newOutputStream(checkpoint)) {
      network.parameters().get(0).getArray().muli(Float.NaN);
      network.saveParameters(out);
    }
    String given = manifest.replace("architecture: cnn-small\n    training: {epochs: 3",
        "architecture: cnn-small\n    checkpoint: \"file://" + checkpoint + "\"\n    training: {epochs: 3");
    assertThat(given).contains("checkpoint:");

    TinyRuns.Result result = runs.run(runs.write("given.yaml", given));

    assertThat(result.exit()).as(result.out()).isEqualTo(2);
    assertThat(result.err()).contains(checkpoint.toString(), "NaN or infinite", "diverged");
    assertThat(runs.prefix("runs/local/given/candidates/_SUCCESS")).doesNotExist();
  }
}
