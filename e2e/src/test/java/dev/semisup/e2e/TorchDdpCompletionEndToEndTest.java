package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.EngineType;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.OperatorMain;
import dev.semisup.operator.jobs.PodGroup;
import dev.semisup.operator.status.Conditions;
import dev.semisup.worker.cli.Semisup;
import dev.semisup.worker.testing.TorchScriptStudentFiles;
import io.fabric8.kubernetes.api.model.Condition;
import io.minio.GetObjectArgs;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Torch-ddp steps through the operator, the test kubelet and S3: the trainer pods of a step's
 * group are played by writing the step folder a trainer writes (TorchScriptStudentFiles: model.pt,
 * its card, history, metrics, _SUCCESS last) from rank 0; everything around them is real: each
 * group pod's init container, the worker's {@code semisup stage --claim}, which claims the run's
 * prefix before the trainer starts; the operator's completion Job, and the worker's
 * {@code semisup stage --complete} in its pod, which checks the module against its card and, for
 * the fine-tune, writes the servable folder and the report that status.reportUri then names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TorchDdpCompletionEndToEndTest {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(180);

  /** How the played trainer changes its card, by run: a module that does not fit its card. */
  private final Map<String, UnaryOperator<String>> cardChanges = new ConcurrentHashMap<>();
  /** The runs whose played trainer started, by run name. */
  private final Set<String> trainersStarted = ConcurrentHashMap.newKeySet();
  private EndToEndCluster e2e;

  @BeforeAll
  void start() throws Exception {
    PodRunner worker = PodRunner.inProcess(Semisup::execute);
    e2e = new EndToEndCluster(true, (pod, out, err) -> PodGroup.CONTAINER.equals(pod.container().getName())
        ? playTrainer(pod, err) : worker.run(pod, out, err));
  }

  @AfterAll
  void stop() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
  }

  @Test
  void aTorchDdpFinetuneEndsWithItsReportInTheStoreAndTheReportUriSet() throws Exception {
    SemiSupervisedRun run = e2e.tinyRun("ddp");
    run.getSpec().getStudent().setEngine(new EngineSpec(EngineType.TORCH_DDP, 2, 0));
    run.getSpec().getStudent().setFinetuneEngine(new EngineSpec(EngineType.TORCH_DDP, 1, 0));
    e2e.cluster.create(run);

    SemiSupervisedRun done = e2e.awaitFinished("ddp", RUN_TIMEOUT);

    String status = Manifests.toJson(done.getStatus());
    assertThat(done.getStatus().getPhase()).as(status).isEqualTo(RunPhase.Succeeded);
    assertThat(done.getStatus().getStages()).extracting(StageStatus::getPhase).containsOnly(StagePhase.Succeeded);
    assertThat(e2e.cluster.jobs(EndToEndCluster.NAMESPACE, "ddp")).extracting(j -> j.getMetadata().getName())
        .containsExactlyInAnyOrder("ddp-teacher", "ddp-infer", "ddp-select", "ddp-pack", "ddp-student",
            "ddp-student-done", "ddp-finetune", "ddp-finetune-done");
    String bucketUri = "s3://" + e2e.s3.bucket() + "/";
    String prefix = "runs/" + EndToEndCluster.NAMESPACE + "/ddp/";
    assertThat(done.getStatus().getReportUri()).isEqualTo(bucketUri + prefix + "report.html");
    JsonNode report = new ObjectMapper().readTree(read(prefix + "report.json"));
    assertThat(report.get("finalAccuracy").asDouble()).as("the trainer's module scored by the worker")
        .isEqualTo(done.getStatus().getMetrics().getFinalAccuracy());
    assertThat(new String(read(prefix + "report.html"), StandardCharsets.UTF_8)).contains("data-step=\"finetune\"");
    assertThat(e2e.s3.exists(prefix + "finetune/servable/serving.properties")).isTrue();
    assertThat(e2e.s3.exists(prefix + "student/servable/serving.properties")).as("only the fine-tune is served").isFalse();
    assertThat(e2e.cluster.apiCalls(OperatorMain.USER_AGENT)).contains("create batch/jobs");
    RecordedApiRequests.check("torch-ddp-completion", e2e.cluster.apiCalls(OperatorMain.USER_AGENT));
  }

  @Test
  void aModuleThatDoesNotFitItsCardFailsTheRunNamingTheStepAndTheCard() throws Exception {
    cardChanges.put("ddp-bad", card -> card.replaceAll("\"imageSize\"\\s*:\\s*8", "\"imageSize\": 16"));
    SemiSupervisedRun run = e2e.tinyRun("ddp-bad");
    run.getSpec().getStudent().setEngine(new EngineSpec(EngineType.TORCH_DDP, 1, 0));
    run.getSpec().getStudent().setFinetuneEngine(new EngineSpec(EngineType.TORCH_DDP, 1, 0));
    e2e.cluster.create(run);

    SemiSupervisedRun done = e2e.awaitFinished("ddp-bad", RUN_TIMEOUT);

    assertThat(done.getStatus().getPhase()).as(Manifests.toJson(done.getStatus())).isEqualTo(RunPhase.Failed);
    assertThat(done.getStatus().getStages()).as(Manifests.toJson(done.getStatus()))
        .filteredOn(stage -> stage.getName().equals("student"))
        .singleElement().satisfies(stage -> assertThat(stage.getPhase()).isEqualTo(StagePhase.Failed));
    Condition failed = Conditions.find(done.getStatus().getConditions(), Conditions.FAILED).orElseThrow();
    String card = "s3://" + e2e.s3.bucket() + "/runs/" + EndToEndCluster.NAMESPACE + "/ddp-bad/student/model-card.json";
    assertThat(failed.getReason()).isEqualTo("StepFailed");
    assertThat(failed.getMessage()).startsWith("student failed")
        .contains("completion Job ddp-bad-student-done", "1x16x16", card);
    assertThat(e2e.cluster.jobs(EndToEndCluster.NAMESPACE, "ddp-bad")).extracting(j -> j.getMetadata().getName())
        .as("no group restart, no next step").contains("ddp-bad-student", "ddp-bad-student-done")
        .doesNotContain("ddp-bad-student-a2", "ddp-bad-finetune");

  }

  /**
   * A run whose first step is a torch-ddp teacher: its group's pods claim the fresh prefix
   * (run.json) before the trainer writes there, so the worker steps after it find their run's
   * prefix, not five marker-less objects they must refuse.
   */
  @Test
  void aTorchDdpTeacherOnAFreshPrefixClaimsItSoTheWorkerStepsAfterItRun() throws Exception {
    SemiSupervisedRun run = e2e.tinyRun("ddp-first");
    run.getSpec().getTeacher().setEngine(new EngineSpec(EngineType.TORCH_DDP, 2, 0));
    SemiSupervisedRun created = e2e.cluster.create(run);

    SemiSupervisedRun done = e2e.awaitFinished("ddp-first", RUN_TIMEOUT);

    String status = Manifests.toJson(done.getStatus());
    assertThat(done.getStatus().getPhase()).as(status).isEqualTo(RunPhase.Succeeded);
    assertThat(done.getStatus().getStages()).extracting(StageStatus::getPhase).as(status)
        .containsOnly(StagePhase.Succeeded);
    assertThat(e2e.cluster.jobs(EndToEndCluster.NAMESPACE, "ddp-first")).extracting(j -> j.getMetadata().getName())
        .as("no group restart").contains("ddp-first-teacher", "ddp-first-teacher-done", "ddp-first-infer")
        .doesNotContain("ddp-first-teacher-a2");
    JsonNode marker = new ObjectMapper().readTree(read("runs/" + EndToEndCluster.NAMESPACE + "/ddp-first/run.json"));
    assertThat(marker.get("name").asText()).isEqualTo("ddp-first");
    assertThat(marker.get("uid").asText()).isEqualTo(created.getMetadata().getUid());
  }

  /**
   * The prefix lies inside another run's prefix, whose marker the operator does not look for (it
   * reads the run's own run.json): the claim refuses it before the trainer starts, and the exit 2
   * of the init container fails the step at once (no group restart, although the run has
   * retries), naming the prefix and the other run; the other run's marker is left as it was.
   */
  @Test
  void aTorchDdpTeacherInsideAnotherRunsPrefixFailsTheRunNamingItBeforeTheTrainerStarts() throws Exception {
    String outer = "runs/" + EndToEndCluster.NAMESPACE + "/outer";
    byte[] owner = "{\"namespace\": \"team-b\", \"name\": \"other\", \"uid\": \"uid-b\"}"
        .getBytes(StandardCharsets.UTF_8);
    put(outer + "/run.json", owner);
    SemiSupervisedRun run = torchDdpTeacher("ddp-nested");
    run.getSpec().getStorage().setPrefix(outer + "/ddp-nested");
    e2e.cluster.create(run);

    Condition failed = awaitRefusedClaim("ddp-nested");

    assertThat(failed.getMessage()).contains("s3://" + e2e.s3.bucket() + "/" + outer + "/ddp-nested",
        "lies inside the prefix " + outer + " of run team-b/other (uid uid-b)");
    assertThat(read(outer + "/run.json")).isEqualTo(owner);
    assertThat(e2e.s3.exists(outer + "/ddp-nested/run.json")).isFalse();
  }

  /** The prefix holds objects but no run marker (someone's data): the claim refuses to write among them. */
  @Test
  void aTorchDdpTeacherOnAPrefixOfMarkerlessObjectsFailsTheRunNamingThemBeforeTheTrainerStarts() throws Exception {
    String prefix = "runs/" + EndToEndCluster.NAMESPACE + "/ddp-data";
    put(prefix + "/teacher/model.pt", "someone's module".getBytes(StandardCharsets.UTF_8));
    e2e.cluster.create(torchDdpTeacher("ddp-data"));

    Condition failed = awaitRefusedClaim("ddp-data");

    assertThat(failed.getMessage()).contains("s3://" + e2e.s3.bucket() + "/" + prefix, "already holds 1 object(s)",
        "no run marker (run.json)");
    assertThat(e2e.s3.exists(prefix + "/run.json")).isFalse();
  }

  /** TinyData's run, with retries, whose teacher is a group of two pods. */
  private SemiSupervisedRun torchDdpTeacher(String name) throws Exception {
    SemiSupervisedRun run = e2e.tinyRun(name);
    run.getSpec().getTeacher().setEngine(new EngineSpec(EngineType.TORCH_DDP, 2, 0));
    assertThat(run.getSpec().getResources().getRetries()).as("a group restart would be allowed").isPositive();
    return run;
  }

  /** The run failed at its teacher's first group Job, by the claim's FailJob rule, and no trainer started. */
  private Condition awaitRefusedClaim(String name) {
    SemiSupervisedRun done = e2e.awaitFinished(name, RUN_TIMEOUT);
    assertThat(done.getStatus().getPhase()).as(Manifests.toJson(done.getStatus())).isEqualTo(RunPhase.Failed);
    Condition failed = Conditions.find(done.getStatus().getConditions(), Conditions.FAILED).orElseThrow();
    assertThat(failed.getReason()).isEqualTo("StepFailed");
    assertThat(failed.getMessage()).startsWith("teacher failed");
    assertThat(e2e.cluster.jobs(EndToEndCluster.NAMESPACE, name)).extracting(j -> j.getMetadata().getName())
        .as("no group restart, no completion").containsExactly(name + "-teacher");
    assertThat(e2e.cluster.job(EndToEndCluster.NAMESPACE, name + "-teacher").getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("PodFailurePolicy"));
    assertThat(trainersStarted).doesNotContain(name);
    return failed;
  }

  /**
   * A trainer pod: rank 0 writes the step folder, _SUCCESS last, as the trainer contract says; the
   * other ranks only take part in the collectives, which have nothing to do here.
   */
  private int playTrainer(JobPod pod, PrintWriter err) {
    trainersStarted.add(pod.env().get(WorkerContract.ENV_RUN_NAME));
    if (!"0".equals(pod.env().get(PodGroup.ENV_NODE_RANK))) {
      return 0;
    }
    try {
      String[] args = pod.inProcessArgs();
      PlannedStep step = StagePlan.of(Manifests.parseSpec(pod.env().get(WorkerContract.ENV_SPEC), "env"))
          .require(args[args.length - 1]);
      String folder = new ObjectLayout(pod.env().get(WorkerContract.ENV_STORE_PREFIX)).folder(step) + "/";
      UnaryOperator<String> cardChange = cardChanges.getOrDefault(pod.env().get(WorkerContract.ENV_RUN_NAME),
          UnaryOperator.identity());
      for (String file : TorchScriptStudentFiles.STEP_FILES) {
        byte[] bytes = TorchScriptStudentFiles.bytes("step/" + file);
        if (file.equals("model-card.json")) {
          bytes = cardChange.apply(new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        }
        put(folder + file, bytes);
      }
      return 0;
    } catch (Exception e) {
      err.println("played trainer: " + e);
      return 1;
    }
  }

  private void put(String key, byte[] bytes) throws Exception {
    e2e.s3.client().putObject(PutObjectArgs.builder().bucket(e2e.s3.bucket()).object(key)
        .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
  }

  private byte[] read(String key) throws Exception {
    try (InputStream in = e2e.s3.client().getObject(GetObjectArgs.builder().bucket(e2e.s3.bucket()).object(key)
        .build())) {
      return in.readAllBytes();
    }
  }
}
