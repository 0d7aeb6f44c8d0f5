package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.api.v1alpha1.StorageCleanup;
import dev.semisup.operator.OperatorMain;
import dev.semisup.operator.status.Conditions;
import dev.semisup.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator, the worker and S3 together in one JVM: runs go through every step on a tiny data
 * set, and through the faults a cluster has (operator restarts, failing pods, an unreachable
 * store, bad specs, suspension, deletion). The last test records the API calls the operator made.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorEndToEndTest {

  static final List<String> STEPS = List.of("teacher", "infer", "select", "pack", "student", "finetune");
  static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

  private EndToEndCluster e2e;

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
  @Order(1)
  void tinyRunGoesThroughEveryStepToSucceededWithAccuracies() throws Exception {
    // A watch sees every status the operator writes, in order (polling could miss a short one).
    List<RunPhase> phases = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> stages = java.util.Collections.synchronizedList(new ArrayList<>());
    try (io.fabric8.kubernetes.client.Watch watch = e2e.cluster.client().resources(SemiSupervisedRun.class)
        .inNamespace(EndToEndCluster.NAMESPACE).withName("tiny").watch(new io.fabric8.kubernetes.client.Watcher<>() {
          @Override
          public void eventReceived(Action action, SemiSupervisedRun run) {
            if (run.getStatus() != null) {
              addIfNew(phases, run.getStatus().getPhase());
              if (run.getStatus().getPhase() == RunPhase.Running) {
                addIfNew(stages, run.getStatus().getStage());
              }
            }
          }

          @Override
          public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
          }
        })) {
      e2e.cluster.create(e2e.tinyRun("tiny"));
      e2e.awaitFinished("tiny", RUN_TIMEOUT);
      await().atMost(Duration.ofSeconds(5)).until(() -> phases.contains(RunPhase.Succeeded));
    }

    SemiSupervisedRun run = e2e.get("tiny");
    assertThat(run.getStatus().getPhase()).as(describe(run)).isEqualTo(RunPhase.Succeeded);
    assertThat(phases).containsExactly(RunPhase.Pending, RunPhase.Running, RunPhase.Succeeded);
    assertThat(stages).containsExactlyElementsOf(STEPS);
    assertThat(run.getStatus().getStages()).extracting(StageStatus::getPhase).containsOnly(StagePhase.Succeeded);
    assertThat(run.getStatus().getStages()).extracting(StageStatus::getAttempts).containsOnly(1);
    // The status shows what the workers measured: the report the finetune step wrote to S3.
    String reportUri = run.getStatus().getArtifacts().get("report");
    JsonNode report;
    try (InputStream in = e2e.s3.client().getObject(io.minio.GetObjectArgs.builder().bucket(e2e.s3.bucket())
        .object(reportUri.substring(("s3://" + e2e.s3.bucket() + "/").length())).build())) {
      report = new ObjectMapper().readTree(in);
    }
    // The run's page, written to S3 by the same step, is where status.reportUri points.
    assertThat(run.getStatus().getReportUri()).isEqualTo(reportUri.replaceFirst("report\\.json$", "report.html"));
    String page;
    try (InputStream in = e2e.s3.client().getObject(io.minio.GetObjectArgs.builder().bucket(e2e.s3.bucket())
        .object(run.getStatus().getReportUri().substring(("s3://" + e2e.s3.bucket() + "/").length())).build())) {
      page = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    assertThat(page).contains("<section class=\"sheet\" id=\"class-0\"", "data-step=\"finetune\"",
        "<figure class=\"curve\" data-step=\"teacher\"");
    assertThat(run.getStatus().getMetrics().getTeacherAccuracy()).isEqualTo(report.get("teacherAccuracy").asDouble());
    assertThat(run.getStatus().getMetrics().getStudentAccuracy()).isEqualTo(report.get("studentAccuracy").asDouble());
    assertThat(run.getStatus().getMetrics().getFinalAccuracy()).isEqualTo(report.get("finalAccuracy").asDouble());
    // Three classes, 90 validation images: chance is 1/3 (standard deviation 0.05); a few epochs
    // on 30 labels learn the bands well above it (0.61 on this machine).
    assertThat(run.getStatus().getMetrics().getTeacherAccuracy()).as(describe(run)).isGreaterThan(0.5);
    assertThat(run.getStatus().getMetrics().getFinalAccuracy()).as(describe(run)).isGreaterThan(0.5);
    assertThat(run.getStatus().getMetrics().getSampledImages()).isPositive();
    assertThat(run.getStatus().getArtifacts()).containsKeys("teacher", "infer", "select", "student", "finetune", "report");
    assertThat(jobNames("tiny")).containsExactlyInAnyOrder("tiny-teacher", "tiny-infer", "tiny-select", "tiny-pack",
        "tiny-student", "tiny-finetune");
    assertThat(Conditions.isTrue(run.getStatus().getConditions(), Conditions.READY)).isTrue();
    assertThat(Conditions.isTrue(run.getStatus().getConditions(), Conditions.STORAGE_REACHABLE)).isTrue();
    assertThat(e2e.cluster.job(EndToEndCluster.NAMESPACE, "tiny-infer").getStatus().getCompletedIndexes()).isEqualTo("0-1");
    assertThat(e2e.cluster.job(EndToEndCluster.NAMESPACE, "tiny-pack").getStatus().getCompletedIndexes()).isEqualTo("0-1");
    assertThat(eventReasons("tiny")).contains("StepStarted", "StepSucceeded", "RunSucceeded");
    everyPrinterColumnResolves(run);
  }

  @Test
  @Order(2)
  void operatorRestartedMidStepContinuesWithoutDuplicateJobs() throws Exception {
    CountDownLatch selectRunning = e2e.worker.hold("restart", "select");
    e2e.cluster.create(e2e.tinyRun("restart"));
    assertThat(selectRunning.await(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    e2e.stopOperator();
    // The step finishes while no operator runs.
    e2e.worker.release("restart", "select");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        e2e.cluster.job(EndToEndCluster.NAMESPACE, "restart-select").getStatus().getSucceeded() != null);
    e2e.startOperator();

    SemiSupervisedRun run = e2e.awaitFinished("restart", RUN_TIMEOUT);
    assertThat(run.getStatus().getPhase()).as(describe(run)).isEqualTo(RunPhase.Succeeded);
    assertThat(jobNames("restart")).containsExactlyInAnyOrder("restart-teacher", "restart-infer", "restart-select",
        "restart-pack", "restart-student", "restart-finetune");
    assertThat(run.getStatus().getStages()).extracting(StageStatus::getAttempts).containsOnly(1);
    assertThat(eventReasons("restart").stream().filter("StepStarted"::equals)).hasSize(6);
  }

  @Test
  @Order(3)
  void aStepFailingOnceThenPassingStaysWithinItsRetries() throws Exception {
    e2e.worker.fail("flaky", "student", 1, "student: connection reset while reading the sampled index");
    e2e.cluster.create(e2e.tinyRun("flaky"));
    SemiSupervisedRun run = e2e.awaitFinished("flaky", RUN_TIMEOUT);
    assertThat(run.getStatus().getPhase()).as(describe(run)).isEqualTo(RunPhase.Succeeded);
    Job student = e2e.cluster.job(EndToEndCluster.NAMESPACE, "flaky-student");
    assertThat(student.getStatus().getFailed()).isEqualTo(1);
    assertThat(student.getStatus().getSucceeded()).isEqualTo(1);
    assertThat(jobNames("flaky")).hasSize(6);
  }

  @Test
  @Order(4)
  void aStepFailingForGoodFailsTheRunAndTheRetryAnnotationContinuesFromIt() throws Exception {
    e2e.worker.fail("doomed", "finetune", 3, "finetune: validation set has 0 images of class 2");
    e2e.cluster.create(e2e.tinyRun("doomed"));
    SemiSupervisedRun failed = e2e.awaitFinished("doomed", RUN_TIMEOUT);
    assertThat(failed.getStatus().getPhase()).as(describe(failed)).isEqualTo(RunPhase.Failed);
    Condition condition = Conditions.find(failed.getStatus().getConditions(), Conditions.FAILED).orElseThrow();
    assertThat(condition.getReason()).isEqualTo("StepFailed");
    assertThat(condition.getMessage()).contains("finetune", "validation set has 0 images of class 2");
    assertThat(e2e.cluster.job(EndToEndCluster.NAMESPACE, "doomed-finetune").getStatus().getFailed()).isEqualTo(3);
    assertThat(eventReasons("doomed")).contains("StepFailed");

    e2e.cluster.edit(EndToEndCluster.NAMESPACE, "doomed", run -> {
      run.getMetadata().setAnnotations(new HashMap<>(java.util.Map.of(SemiSupervisedRun.RETRY_ANNOTATION, "1")));
      return run;
    });
    await().atMost(RUN_TIMEOUT).until(() -> e2e.get("doomed").getStatus().getPhase() == RunPhase.Succeeded);
    SemiSupervisedRun retried = e2e.get("doomed");
    assertThat(jobNames("doomed")).containsExactlyInAnyOrder("doomed-teacher", "doomed-infer", "doomed-select",
        "doomed-pack", "doomed-student", "doomed-finetune", "doomed-finetune-a2");
    StageStatus finetune = retried.getStatus().getStages().get(5);
    assertThat(finetune.getName()).isEqualTo("finetune");
    assertThat(finetune.getAttempts()).isEqualTo(2);
    assertThat(retried.getStatus().getStages().subList(0, 5)).extracting(StageStatus::getAttempts).containsOnly(1);
    assertThat(retried.getStatus().getMetrics().getFinalAccuracy()).isNotNull();
  }

  @Test
  @Order(5)
  void anUnreachableStoreIsReportedAndTheRunRecovers() throws Exception {
    CountDownLatch inferRunning = e2e.worker.hold("outage", "infer");
    e2e.cluster.create(e2e.tinyRun("outage"));
    assertThat(inferRunning.await(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    e2e.storeProxy.down(true);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> condition("outage", Conditions.STORAGE_REACHABLE)
          .map(c -> "False".equals(c.getStatus())).orElse(false));
      Condition unreachable = condition("outage", Conditions.STORAGE_REACHABLE).orElseThrow();
      assertThat(unreachable.getReason()).isEqualTo("ConnectionFailed");
      assertThat(unreachable.getMessage()).contains(e2e.storeProxy.endpoint(), "spec.storage.endpoint");
      assertThat(e2e.get("outage").getStatus().getPhase()).isEqualTo(RunPhase.Running);
    } finally {
      e2e.storeProxy.down(false);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> condition("outage", Conditions.STORAGE_REACHABLE)
        .map(c -> "True".equals(c.getStatus())).orElse(false));
    e2e.worker.release("outage", "infer");
    SemiSupervisedRun run = e2e.awaitFinished("outage", RUN_TIMEOUT);
    assertThat(run.getStatus().getPhase()).as(describe(run)).isEqualTo(RunPhase.Succeeded);
  }

  @Test
  @Order(6)
  void anInvalidSpecFailsWithEveryFieldAndStartsNoJob() throws Exception {
    SemiSupervisedRun bad = e2e.tinyRun("invalid");
    bad.getSpec().getSampling().setTopP(7);
    bad.getSpec().getStudent().setArchitecture("transformer");
    bad.getSpec().getData().getLabeled().setUri("file:///data/labeled");
    e2e.cluster.create(bad);
    SemiSupervisedRun run = e2e.awaitFinished("invalid", RUN_TIMEOUT);
    assertThat(run.getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    Condition invalid = condition("invalid", Conditions.INVALID_SPEC).orElseThrow();
    assertThat(invalid.getStatus()).isEqualTo("True");
    assertThat(invalid.getMessage()).contains("spec.sampling.topP", "spec.student.architecture", "spec.data.labeled.uri");
    await().atMost(Duration.ofSeconds(5)).until(() -> eventReasons("invalid").contains("InvalidSpec"));
    // The written Failed status is the signal: a reconcile creates its Job before it writes the
    // status, and nothing about this run changes afterwards that could start another reconcile.
    assertThat(jobNames("invalid")).isEmpty();
    assertThat(eventReasons("invalid").stream().filter("InvalidSpec"::equals)).hasSize(1);
  }

  @Test
  @Order(7)
  void aSuspendedRunStartsNothingUntilResumed() throws Exception {
    SemiSupervisedRun suspended = e2e.tinyRun("paused");
    suspended.getSpec().setSuspend(true);
    e2e.cluster.create(suspended);
    await().atMost(Duration.ofSeconds(10)).until(() -> e2e.get("paused").getStatus() != null
        && e2e.get("paused").getStatus().getPhase() == RunPhase.Suspended);
    assertThat(condition("paused", Conditions.SUSPENDED).orElseThrow().getStatus()).isEqualTo("True");
    // As above: the reconcile that wrote Suspended would have made its Job before.
    assertThat(jobNames("paused")).isEmpty();

    e2e.cluster.edit(EndToEndCluster.NAMESPACE, "paused", run -> {
      run.getSpec().setSuspend(false);
      return run;
    });
    SemiSupervisedRun run = e2e.awaitFinished("paused", RUN_TIMEOUT);
    assertThat(run.getStatus().getPhase()).as(describe(run)).isEqualTo(RunPhase.Succeeded);
    assertThat(condition("paused", Conditions.SUSPENDED).orElseThrow().getStatus()).isEqualTo("False");
  }

  @Test
  @Order(8)
  void deletingARunLeavesOnlyJobsItOwnsForTheGarbageCollector() throws Exception {
    CountDownLatch teacherRunning = e2e.worker.hold("deleted", "teacher");
    SemiSupervisedRun created = e2e.cluster.create(e2e.tinyRun("deleted"));
    assertThat(teacherRunning.await(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    e2e.cluster.client().resource(created).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> e2e.get("deleted") == null);
    e2e.worker.release("deleted", "teacher");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        e2e.cluster.job(EndToEndCluster.NAMESPACE, "deleted-teacher").getStatus().getSucceeded() != null);
    // The run is gone only after the operator's finalizer ran: no reconcile of it can follow.
    // The mock has no garbage collector; a real one deletes what the run owns, which is every Job.
    assertThat(jobNames("deleted")).containsExactly("deleted-teacher");
    List<Job> all = e2e.cluster.client().batch().v1().jobs().inNamespace(EndToEndCluster.NAMESPACE).list().getItems();
    assertThat(all).isNotEmpty().allSatisfy(job -> assertThat(job.getMetadata().getOwnerReferences())
        .singleElement().satisfies(owner -> {
          assertThat(owner.getKind()).isEqualTo("SemiSupervisedRun");
          assertThat(owner.getController()).isTrue();
          assertThat(owner.getName()).isEqualTo(job.getMetadata().getLabels().get("semisup.dev/run"));
        }));
    assertThat(e2e.cluster.job(EndToEndCluster.NAMESPACE, "deleted-teacher").getMetadata().getOwnerReferences().get(0)
        .getUid()).isEqualTo(created.getMetadata().getUid());
  }

  @Test
  @Order(9)
  void aJobDeletedBeforeItsOutcomeWasReadFailsTheStepAsLost() throws Exception {
    CountDownLatch teacherRunning = e2e.worker.hold("lost", "teacher");
    e2e.cluster.create(e2e.tinyRun("lost"));
    assertThat(teacherRunning.await(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    // Deleted by a person (or a TTL) while it ran: the operator asks the API server, not its cache.
    e2e.cluster.client().batch().v1().jobs().inNamespace(EndToEndCluster.NAMESPACE).withName("lost-teacher").delete();
    SemiSupervisedRun run = e2e.awaitFinished("lost", RUN_TIMEOUT);
    e2e.worker.release("lost", "teacher");
    assertThat(run.getStatus().getPhase()).as(describe(run)).isEqualTo(RunPhase.Failed);
    Condition failed = condition("lost", Conditions.FAILED).orElseThrow();
    assertThat(failed.getReason()).isEqualTo("JobLost");
    assertThat(failed.getMessage()).contains("lost-teacher", "_SUCCESS");
    assertThat(jobNames("lost")).as("the step is not silently run again").isEmpty();
  }

  @Test
  @Order(10)
  void aRunCreatedBeforeItsSecretStartsOnceTheSecretExists() throws Exception {
    SemiSupervisedRun late = e2e.tinyRun("late");
    late.getSpec().getStorage().setCredentialsSecret("late-credentials");
    e2e.cluster.create(late);
    await().atMost(Duration.ofSeconds(10)).until(() -> condition("late", Conditions.READY)
        .map(c -> "SecretNotFound".equals(c.getReason())).orElse(false));
    assertThat(jobNames("late")).isEmpty();

    e2e.cluster.credentialsSecret(EndToEndCluster.NAMESPACE, "late-credentials", e2e.s3.accessKey(), e2e.s3.secretKey());

    // The Secret's watch event reconciles the run: no wait for the next progress interval.
    await().atMost(Duration.ofSeconds(10)).until(() -> jobNames("late").contains("late-teacher"));
    e2e.cluster.client().resource(e2e.get("late")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> e2e.get("late") == null);
  }

  @Test
  @Order(11)
  void aRunThatDeletesItsArtifactsIsHeldUntilTheStoreCanBeReached() throws Exception {
    CountDownLatch teacherRunning = e2e.worker.hold("purged", "teacher");
    SemiSupervisedRun purged = e2e.tinyRun("purged");
    purged.getSpec().getStorage().setCleanup(StorageCleanup.Delete);
    e2e.cluster.create(purged);
    assertThat(teacherRunning.await(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    byte[] written = "partial".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    e2e.s3.client().putObject(io.minio.PutObjectArgs.builder().bucket(e2e.s3.bucket())
        .object("runs/e2e/purged/teacher/partial.bin").stream(new java.io.ByteArrayInputStream(written), written.length, -1)
        .build());
    assertThat(e2e.get("purged").getMetadata().getFinalizers()).hasSize(1);

    e2e.storeProxy.down(true);
    try {
      e2e.cluster.client().resource(e2e.get("purged")).delete();
      // Retried every progress interval (0.5 s here): one Event whose count grows.
      await().atMost(Duration.ofSeconds(20)).until(() -> cleanupWaiting().stream()
          .anyMatch(e -> e.getCount() != null && e.getCount() >= 3));
      assertThat(cleanupWaiting()).hasSize(1);
      assertThat(e2e.get("purged")).as("held by its finalizer").isNotNull();
    } finally {
      e2e.storeProxy.down(false);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> e2e.get("purged") == null);
    e2e.worker.release("purged", "teacher");
    assertThat(objectsUnder("runs/e2e/purged/")).isEmpty();
  }

  /** The Helm chart's RBAC is checked against e2e/recorded/operator-api-requests.txt. */
  @Test
  @Order(100)
  void recordedApiRequestsNameEveryCallTheOperatorMade() throws Exception {
    Set<String> made = e2e.cluster.apiCalls(OperatorMain.USER_AGENT);
    assertThat(made).contains("create batch/jobs", "update semisup.dev/semisupervisedruns/status", "get /secrets",
        "watch batch/jobs", "watch semisup.dev/semisupervisedruns", "create /events", "list /pods", "watch /pods",
        "watch /secrets", "patch /events", "patch semisup.dev/semisupervisedruns");
    RecordedApiRequests.check("end-to-end", made);
  }

  // ---- helpers

  private List<Event> cleanupWaiting() {
    return e2e.cluster.client().v1().events().inNamespace(EndToEndCluster.NAMESPACE).list().getItems().stream()
        .filter(e -> "purged".equals(e.getInvolvedObject().getName()) && "CleanupWaiting".equals(e.getReason()))
        .toList();
  }

  private List<String> objectsUnder(String prefix) throws Exception {
    List<String> keys = new ArrayList<>();
    for (var item : e2e.s3.client().listObjects(io.minio.ListObjectsArgs.builder().bucket(e2e.s3.bucket())
        .prefix(prefix).recursive(true).build())) {
      keys.add(item.get().objectName());
    }
    return keys;
  }

  private java.util.Optional<Condition> condition(String run, String type) {
    SemiSupervisedRun current = e2e.get(run);
    return current.getStatus() == null ? java.util.Optional.empty()
        : Conditions.find(current.getStatus().getConditions(), type);
  }

  private List<String> jobNames(String run) {
    return e2e.cluster.jobs(EndToEndCluster.NAMESPACE, run).stream().map(j -> j.getMetadata().getName()).toList();
  }

  private List<String> eventReasons(String run) {
    return e2e.cluster.client().v1().events().inNamespace(EndToEndCluster.NAMESPACE).list().getItems().stream()
        .filter(e -> run.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
  }

  private static <T> void addIfNew(List<T> seen, T value) {
    if (value != null && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(value))) {
      seen.add(value);
    }
  }

  private static String describe(SemiSupervisedRun run) {
    return "status: " + (run.getStatus() == null ? null : dev.semisup.api.manifest.Manifests.toJson(run.getStatus()));
  }

  /** kubectl get ssr shows each printer column by its jsonPath; each must find a value. */
  private void everyPrinterColumnResolves(SemiSupervisedRun run) throws Exception {
    CustomResourceDefinition crd;
    try (InputStream in = getClass().getResourceAsStream(MockCluster.CRD)) {
      crd = e2e.cluster.client().getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    }
    List<CustomResourceColumnDefinition> columns = crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns();
    assertThat(columns).extracting(CustomResourceColumnDefinition::getName)
        .contains("Phase", "Stage", "Progress", "Teacher", "Final", "Age");
    JsonNode tree = new ObjectMapper().readTree(e2e.cluster.client().getKubernetesSerialization().asJson(run));
    for (CustomResourceColumnDefinition column : columns) {
      JsonNode node = tree;
      for (String field : column.getJsonPath().replaceFirst("^\\.", "").split("\\.")) {
        node = node.path(field);
      }
      assertThat(node.isMissingNode() || node.isNull()).as("column %s (%s) on %s", column.getName(),
          column.getJsonPath(), tree).isFalse();
    }
  }
}
