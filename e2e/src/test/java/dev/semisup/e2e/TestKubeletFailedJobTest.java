package dev.semisup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.semisup.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The test kubelet's end of a failed Job whose other pod ignores SIGTERM, without the operator: a
 * pod group of two whose Job (backoffLimit 0, a grace period of one second) fails when rank 1
 * exits 1, while rank 0 ignores every interrupt. The Job controller deletes rank 0's pod and writes
 * FailureTarget; after the grace period the kubelet records rank 0's container as killed (137),
 * the pod goes, and only then is Failed written.
 */
class TestKubeletFailedJobTest {

  private static final String NAMESPACE = "kubelet";
  private static final Duration GRACE = Duration.ofSeconds(1);

  @Test
  @Timeout(60)
  void aPeerThatIgnoresSigtermIsKilledAfterItsGracePeriodAndOnlyThenTheJobFails() throws Exception {
    AtomicBoolean released = new AtomicBoolean();
    CountDownLatch rankZeroInterrupted = new CountDownLatch(1);
    PodRunner pods = (pod, out, err) -> {
      if (pod.env().get("JOB_COMPLETION_INDEX").equals("1")) {
        try {
          Files.writeString(pod.terminationLog(), "rank 1 lost its peer");
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return 1;
      }
      while (!released.get()) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          rankZeroInterrupted.countDown(); // and carries on, as a process that ignores SIGTERM
        }
      }
      return 0;
    };
    List<Pod> podStates = new CopyOnWriteArrayList<>();
    List<Job> jobStates = new CopyOnWriteArrayList<>();
    try (MockCluster cluster = new MockCluster();
        KubernetesClient kubeletClient = cluster.clientWithUserAgent("semisup-test-kubelet");
        Watch podWatch = cluster.client().pods().inNamespace(NAMESPACE).watch(recordInto(podStates));
        Watch jobWatch = cluster.client().batch().v1().jobs().inNamespace(NAMESPACE).watch(recordInto(jobStates));
        TestKubelet kubelet = new TestKubelet(kubeletClient, NAMESPACE, pods)) {
      cluster.client().resource(groupJob("group")).create();

      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(() -> conditions(cluster.job(NAMESPACE, "group")).size() == 2);

      Job failed = cluster.job(NAMESPACE, "group");
      assertThat(conditions(failed)).containsExactly("FailureTarget", "Failed");
      assertThat(failed.getStatus().getConditions()).extracting(JobCondition::getReason)
          .containsOnly("BackoffLimitExceeded");
      Instant target = Instant.parse(failed.getStatus().getConditions().get(0).getLastTransitionTime());
      Instant end = Instant.parse(failed.getStatus().getConditions().get(1).getLastTransitionTime());
      assertThat(Duration.between(target, end)).as("Failed waits out the grace period").isGreaterThanOrEqualTo(GRACE);
      assertThat(failed.getStatus().getFailed()).isEqualTo(2);
      assertThat(failed.getStatus().getActive()).isZero();
      assertThat(failed.getStatus().getTerminating()).isZero();
      assertThat(rankZeroInterrupted.getCount()).as("rank 0 got its SIGTERM").isZero();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(jobStates)
          .anySatisfy(job -> {
            assertThat(conditions(job)).containsExactly("FailureTarget");
            assertThat(job.getStatus().getActive()).isZero();
            assertThat(job.getStatus().getTerminating()).isEqualTo(1);
          }));

      assertThat(cluster.client().pods().inNamespace(NAMESPACE).withName("group-0-0").get())
          .as("the killed rank's pod is gone").isNull();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(podStates)
          .filteredOn(pod -> pod.getMetadata().getName().equals("group-0-0"))
          .anySatisfy(pod -> {
            assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
            assertThat(pod.getMetadata().getDeletionTimestamp()).as("deleted by the Job controller").isNotNull();
          })
          .last().satisfies(pod -> {
            assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode())
                .as("SIGKILL").isEqualTo(137);
          }));
      Pod lost = cluster.client().pods().inNamespace(NAMESPACE).withName("group-1-0").get();
      assertThat(lost.getStatus().getPhase()).isEqualTo("Failed");
      assertThat(lost.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage())
          .isEqualTo("rank 1 lost its peer");
    } finally {
      released.set(true);
    }
  }

  private static List<String> conditions(Job job) {
    if (job == null || job.getStatus() == null || job.getStatus().getConditions() == null) {
      return List.of();
    }
    return job.getStatus().getConditions().stream().map(JobCondition::getType).toList();
  }

  /** Every state the API server reports of the watched objects, in order. */
  private static <T> Watcher<T> recordInto(List<T> states) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T object) {
        states.add(object);
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    };
  }

  /** A pod group as the operator makes one: Indexed, parallel, in a subdomain, backoffLimit 0. */
  private static Job groupJob(String name) {
    return new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
        .withNewSpec()
          .withCompletionMode("Indexed").withCompletions(2).withParallelism(2).withBackoffLimit(0)
          .withNewTemplate()
            .withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
            .withNewSpec()
              .withRestartPolicy("Never").withSubdomain(name).withTerminationGracePeriodSeconds(GRACE.toSeconds())
              .withContainers(new ContainerBuilder().withName("trainer").withImage("played")
                  .withCommand("trainer").build())
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }
}
