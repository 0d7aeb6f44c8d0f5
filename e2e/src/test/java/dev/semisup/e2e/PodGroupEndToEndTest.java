package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.EngineType;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.OperatorMain;
import dev.semisup.operator.jobs.PodGroup;
import dev.semisup.operator.jobs.StageJobFactory;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A torch-ddp teacher's pod group with the operator as its main starts it: the operator finds the
 * group's Service already made by a reconcile that stopped before its Job (a 409 it adopts, being
 * the run's own), makes the Indexed Job, and the test kubelet starts its pods. The trainer itself
 * is not run here: its pods are held. Records the API calls for the chart's RBAC.
 */
class PodGroupEndToEndTest {

  @Test
  void theOperatorMakesAGroupJobAndAdoptsItsOwnServiceFromAnEarlierReconcile() throws Exception {
    try (EndToEndCluster e2e = new EndToEndCluster(false)) {
      SemiSupervisedRun run = e2e.tinyRun("ddp");
      run.getSpec().getTeacher().setEngine(new EngineSpec(EngineType.TORCH_DDP, 2, 0));
      SemiSupervisedRun created = e2e.cluster.create(run);
      String jobName = "ddp-teacher";
      Job planned = StageJobFactory.jobFor(created, created.getSpec(),
          StagePlan.of(created.getSpec()).require("teacher"), 1);
      e2e.cluster.client().resource(PodGroup.serviceFor(created, jobName, planned.getMetadata().getLabels())).create();
      // Held until the cluster closes: the in-process worker is not a trainer.
      CountDownLatch podStarted = e2e.worker.hold("ddp", "teacher");
      e2e.startOperator();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> e2e.cluster.job(EndToEndCluster.NAMESPACE, jobName) != null);
      assertThat(podStarted.await(30, TimeUnit.SECONDS)).as("the kubelet started the group's first pod").isTrue();

      Job job = e2e.cluster.job(EndToEndCluster.NAMESPACE, jobName);
      assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
      assertThat(job.getSpec().getCompletions()).isEqualTo(2);
      List<Service> services = e2e.cluster.client().services().inNamespace(EndToEndCluster.NAMESPACE).list().getItems();
      assertThat(services).singleElement().satisfies(service -> {
        assertThat(service.getMetadata().getName()).isEqualTo(jobName);
        assertThat(service.getMetadata().getOwnerReferences().get(0).getUid())
            .isEqualTo(created.getMetadata().getUid());
      });
      assertThat(e2e.get("ddp").getStatus().getStages().get(0).getJobName()).isEqualTo(jobName);
      assertThat(e2e.cluster.apiCalls(OperatorMain.USER_AGENT)).contains("create /services", "get /services");
      RecordedApiRequests.check("pod-group", e2e.cluster.apiCalls(OperatorMain.USER_AGENT));
    }
  }
}
