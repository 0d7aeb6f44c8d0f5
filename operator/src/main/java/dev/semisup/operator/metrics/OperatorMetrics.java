package dev.semisup.operator.metrics;

import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's Prometheus metrics: reconciles, step starts, durations and failures, and runs
 * by phase (counted from the operator's cache of runs, so deleted runs drop out).
 */
public class OperatorMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter reconciles;
  private final Counter reconcileErrors;
  private final AtomicReference<Supplier<Stream<SemiSupervisedRun>>> runs =
      new AtomicReference<>(Stream::empty);

  public OperatorMetrics() {
    reconciles = Counter.builder("semisup.reconciles").description("Reconciles of SemiSupervisedRuns").register(registry);
    reconcileErrors = Counter.builder("semisup.reconcile.errors")
        .description("Reconciles that ended in an exception (retried by the operator)").register(registry);
    for (RunPhase phase : RunPhase.values()) {
      Gauge.builder("semisup.runs", runs, r -> r.get().get()
              .filter(run -> run.getStatus() != null && run.getStatus().getPhase() == phase).count())
          .description("SemiSupervisedRuns by phase").tag("phase", phase.name()).register(registry);
    }
  }

  public void reconciled() {
    reconciles.increment();
  }

  public void reconcileFailed() {
    reconcileErrors.increment();
  }

  public void stepStarted(String stage) {
    Counter.builder("semisup.steps.started").description("Stage Jobs created").tag("stage", stage)
        .register(registry).increment();
  }

  public void stepSucceeded(String stage, Duration duration) {
    Timer.builder("semisup.step.duration").description("Wall time of succeeded steps, Job start to Job done")
        .tag("stage", stage).register(registry).record(duration);
  }

  public void stepFailed(String stage) {
    Counter.builder("semisup.step.failures").description("Steps whose Job failed after its retries")
        .tag("stage", stage).register(registry).increment();
  }

  /** Where runs by phase are counted from: the controller's cache, known once it reconciles. */
  public void countRunsFrom(Supplier<Stream<SemiSupervisedRun>> source) {
    runs.set(source);
  }

  /** Prometheus text exposition format. */
  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
