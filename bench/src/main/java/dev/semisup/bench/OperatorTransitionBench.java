package dev.semisup.bench;

import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.OperatorMain;
import dev.semisup.operator.OperatorMain.RunningOperator;
import dev.semisup.operator.config.OperatorConfig;
import dev.semisup.operator.jobs.StageJobs;
import dev.semisup.operator.testing.FakeArtifacts;
import dev.semisup.operator.testing.MockCluster;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Stage transition latency of the operator: N runs created at once against Fabric8's mock API
 * server; a stand-in Job controller completes each Job a moment after it appears; the latency of
 * a transition is the time from the Job-done status write returning to the next step's Job being
 * seen by a watch (so it includes the watch delays on both sides, as a kubectl user would see it).
 *
 * <p>Usage: {@code bench/operator-transitions.sh [runs] [job-millis]} (defaults 100 and 50).
 */
public final class OperatorTransitionBench {

  static final int WARMUP_RUNS = 20;

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    long jobMillis = args.length > 1 ? Long.parseLong(args[1]) : 50;
    // One Job per planned step: the plan decides, not a number typed here.
    int stepsPerRun = StagePlan.of(Runs.run("plan").getSpec()).steps().size();

    try (MockCluster cluster = new MockCluster();
        KubernetesClient operatorClient = cluster.operatorClient();
        KubernetesClient controllerClient = cluster.clientWithUserAgent("bench-job-controller")) {
      // The operator's own settings (RECONCILE_THREADS, ...) pass through from the environment.
      Map<String, String> env = new java.util.HashMap<>(System.getenv());
      env.put("HTTP_PORT", "0");
      env.remove("WATCH_NAMESPACES");
      env.remove("LEADER_ELECTION_ENABLED");
      OperatorConfig config = OperatorConfig.fromEnv(env).withExitOnLostLeadership(false);
      // The runs' credentials Secret: without it no Job starts.
      cluster.credentialsSecret(Runs.NAMESPACE, Runs.SECRET, "access", "secret");
      Map<String, Long> doneAt = new ConcurrentHashMap<>();
      List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
      List<String> errors = Collections.synchronizedList(new ArrayList<>());
      ScheduledExecutorService jobController = Executors.newScheduledThreadPool(4);

      try (RunningOperator operator = OperatorMain.start(operatorClient, config, client -> new FakeArtifacts());
          SharedIndexInformer<Job> jobs = controllerClient.batch().v1().jobs().inNamespace(Runs.NAMESPACE)
              .withLabel(StageJobs.MANAGED_BY, StageJobs.OPERATOR).inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Job job) {
                  long seen = System.nanoTime();
                  String run = job.getMetadata().getLabels().get(StageJobs.RUN);
                  Long previousDone = doneAt.remove(run);
                  if (previousDone != null && run.startsWith("bench-")) {
                    latenciesMicros.add((seen - previousDone) / 1000);
                  }
                  jobController.schedule(() -> {
                    try {
                      // Stamped as the write leaves: the next Job can show up before it returns.
                      doneAt.put(run, System.nanoTime());
                      complete(controllerClient, job);
                    } catch (RuntimeException e) {
                      errors.add(job.getMetadata().getName() + ": " + e);
                    }
                  }, jobMillis, TimeUnit.MILLISECONDS);
                }

                @Override
                public void onUpdate(Job before, Job after) {
                }

                @Override
                public void onDelete(Job job, boolean unknown) {
                }
              })) {
        // Warm-up: a few runs first, so the JIT has compiled the reconcile path (a long-running
        // operator is warm); only the bench-* runs are measured.
        for (int i = 0; i < WARMUP_RUNS; i++) {
          cluster.create(Runs.run(String.format("warmup-%02d", i)));
        }
        long warmupDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < warmupDeadline && cluster.client().resources(SemiSupervisedRun.class)
            .inNamespace(Runs.NAMESPACE).list().getItems().stream().filter(r -> r.getStatus() != null
                && r.getStatus().getPhase() == RunPhase.Succeeded).count() < WARMUP_RUNS) {
          Thread.sleep(100);
        }
        double reconcilesBefore = operator.metrics().registry().find("semisup.reconciles").counter().count();
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
          cluster.create(Runs.run(String.format("bench-%03d", i)));
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        int succeeded = 0;
        while (System.nanoTime() < deadline) {
          List<SemiSupervisedRun> all = cluster.client().resources(SemiSupervisedRun.class)
              .inNamespace(Runs.NAMESPACE).list().getItems();
          succeeded = (int) all.stream().filter(r -> r.getMetadata().getName().startsWith("bench-")
              && r.getStatus() != null
              && r.getStatus().getPhase() == RunPhase.Succeeded).count();
          long failed = all.stream().filter(r -> r.getStatus() != null
              && r.getStatus().getPhase() == RunPhase.Failed).count();
          long duplicated = all.stream().filter(r -> r.getStatus() != null && r.getStatus().getConditions().stream()
              .map(c -> c.getType()).distinct().count() != r.getStatus().getConditions().size()).count();
          if (duplicated > 0) {
            errors.add(duplicated + " runs with a condition type twice");
            break;
          }
          if (failed > 0) {
            errors.add(failed + " runs Failed");
            break;
          }
          if (succeeded == runs) {
            break;
          }
          Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        jobController.shutdownNow();

        List<Long> sorted = new ArrayList<>(latenciesMicros);
        Collections.sort(sorted);
        double reconciles = operator.metrics().registry().find("semisup.reconciles").counter().count()
            - reconcilesBefore;
        Counter reconcileErrors = operator.metrics().registry().find("semisup.reconcile.errors").counter();
        int jobsMade = (int) cluster.client().batch().v1().jobs().inNamespace(Runs.NAMESPACE).list().getItems().stream()
            .filter(j -> j.getMetadata().getName().startsWith("bench-")).count();
        System.out.printf("runs created at once      %d (%d steps each, Jobs completed %d ms after they appear)%n",
            runs, stepsPerRun, jobMillis);
        System.out.printf("reconcile threads         %d (after %d warm-up runs)%n", config.reconcileThreads(),
            WARMUP_RUNS);
        System.out.printf("runs succeeded            %d in %.1f s%n", succeeded, seconds);
        System.out.printf("jobs created              %d (expected %d)%n", jobsMade, runs * stepsPerRun);
        System.out.printf("transitions measured      %d%n", sorted.size());
        System.out.printf("transition latency p50    %.1f ms%n", percentile(sorted, 0.50) / 1000.0);
        System.out.printf("transition latency p99    %.1f ms%n", percentile(sorted, 0.99) / 1000.0);
        System.out.printf("transition latency max    %.1f ms%n", sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1000.0);
        System.out.printf("reconciles per run        %.1f%n", reconciles / runs);
        System.out.printf("reconcile errors          %.0f%n", reconcileErrors.count());
        System.out.printf("errors                    %s%n", errors.isEmpty() ? "none" : errors);
        boolean ok = succeeded == runs && errors.isEmpty() && jobsMade == runs * stepsPerRun
            && reconcileErrors.count() == 0 && percentile(sorted, 0.99) < 1_000_000;
        System.out.println(ok ? "PASS (target: p99 < 1 s, no errors)" : "FAIL (target: p99 < 1 s, no errors)");
        if (!ok) {
          System.exit(1);
        }
      }
    }
    System.exit(0);
  }

  /** One status write, as the Job controller makes it (no read first: the bench knows the Job). */
  private static void complete(KubernetesClient client, Job job) {
    int completions = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
    String indexes = "Indexed".equals(job.getSpec().getCompletionMode())
        ? ",\"completedIndexes\":\"" + (completions == 1 ? "0" : "0-" + (completions - 1)) + "\"" : "";
    String status = "{\"status\":{\"active\":0,\"succeeded\":" + completions + indexes
        + ",\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\",\"reason\":\"CompletionsReached\"}]}}";
    client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName())
        .subresource("status").patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), status);
  }

  private static long percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int index = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
