package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.worker.testing.TinyDataset;
import dev.semisup.worker.testing.TorchScriptTeacherFiles;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose teacher is a TorchScript file on S3, through the operator, its Jobs and the worker
 * pods of the test kubelet: the plan has no teacher step, the infer pods score the pool with the
 * traced network at its declared input, and the run goes on to a fine-tuned student of the
 * project's own architecture. Modelled on OperatorEndToEndTest's first case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TorchScriptTeacherEndToEndTest {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
  private static final String TEACHER_KEY = "models/teacher.pt";

  private EndToEndCluster e2e;

  @TempDir
  java.nio.file.Path dir;

  @BeforeAll
  void start() throws Exception {
    e2e = new EndToEndCluster();
  }

  @AfterAll
  void stop() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
  }

  @Test
  void aRunWithATorchScriptTeacherGoesFromInferToFinetune() throws Exception {
    byte[] teacher = TorchScriptTeacherFiles.bytes(TorchScriptTeacherFiles.TEACHER);
    e2e.s3.client().putObject(PutObjectArgs.builder().bucket(e2e.s3.bucket()).object(TEACHER_KEY)
        .stream(new ByteArrayInputStream(teacher), teacher.length, -1).build());
    SemiSupervisedRun run = torchScriptRun("traced", "s3://" + e2e.s3.bucket() + "/models/");
    assertThat(run.getSpec().getTeacher().isTorchScript()).isTrue();

    e2e.cluster.create(run);
    await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
      SemiSupervisedRun current = e2e.get("traced");
      return current.getStatus() != null && current.getStatus().getPhase() != null
          && current.getStatus().getPhase().finished();
    });

    SemiSupervisedRun done = e2e.get("traced");
    String status = Manifests.toJson(done.getStatus());
    assertThat(done.getStatus().getPhase()).as(status).isEqualTo(RunPhase.Succeeded);
    assertThat(done.getStatus().getStages()).extracting(StageStatus::getName)
        .containsExactly("infer", "select", "pack", "student", "finetune");
    assertThat(done.getStatus().getStages()).extracting(StageStatus::getPhase).containsOnly(StagePhase.Succeeded);
    assertThat(e2e.cluster.jobs(EndToEndCluster.NAMESPACE, "traced")).extracting(j -> j.getMetadata().getName())
        .containsExactlyInAnyOrder("traced-infer", "traced-select", "traced-pack", "traced-student", "traced-finetune");
    assertThat(e2e.cluster.job(EndToEndCluster.NAMESPACE, "traced-infer").getStatus().getCompletedIndexes())
        .isEqualTo("0-1");
    assertThat(done.getStatus().getMetrics().getTeacherAccuracy()).as("not trained by the run").isNull();
    // The traced teacher knows the band task: right pseudo-labels show the pods preprocessed the pool as declared.
    assertThat(done.getStatus().getMetrics().getPseudoLabelPrecision()).as(status).isGreaterThan(0.95);
    assertThat(done.getStatus().getMetrics().getFinalAccuracy()).as("3 classes: chance is 1/3").isGreaterThan(0.5);
  }

  /** TinyData's cluster run with its trained cnn-small teacher swapped for the traced one under {@code modelsUri}. */
  private SemiSupervisedRun torchScriptRun(String name, String modelsUri) throws Exception {
    SemiSupervisedRun tiny = e2e.tinyRun(name);
    String trained = """
          teacher:
            architecture: cnn-small
            training: {epochs: 3, batchSize: 10, learningRate: 0.02, seed: 1}
        """;
    TorchScriptTeacherFiles files = TorchScriptTeacherFiles.copyTo(dir);
    String manifest = TinyDataset.manifest(name, "s3://" + e2e.s3.bucket() + "/" + TinyData.PREFIX, "");
    assertThat(manifest).contains(trained);
    SemiSupervisedRun run = Manifests.parse(manifest.replace(trained, files.teacherYaml(modelsUri).indent(2)), name);
    // Storage and resources as TinyData gives a cluster run; the teacher as the traced file declares.
    run.getSpec().setStorage(tiny.getSpec().getStorage());
    run.getSpec().setResources(tiny.getSpec().getResources());
    run.getMetadata().setNamespace(EndToEndCluster.NAMESPACE);
    return run;
  }
}
