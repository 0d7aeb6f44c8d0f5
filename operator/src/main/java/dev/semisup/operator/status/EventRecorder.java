package dev.semisup.operator.status;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that writes Kubernetes Events about runs: each step's start, success and
 * failure, and rejected specs. Events go out in order on one background thread, so a reconcile
 * never waits for them; one that cannot be written is logged, never fails a reconcile.
 */
public class EventRecorder implements AutoCloseable {

  public static final String COMPONENT = "semisup-operator";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "event-recorder");
    thread.setDaemon(true);
    return thread;
  });

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Waits for the events already recorded to be sent (tests read them right after a reconcile). */
  public void flush() {
    try {
      sender.submit(() -> { }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    flush();
    sender.shutdown();
  }

  public void normal(SemiSupervisedRun run, String reason, String message) {
    record(run, "Normal", reason, message);
  }

  public void warning(SemiSupervisedRun run, String reason, String message) {
    record(run, "Warning", reason, message);
  }

  private void record(SemiSupervisedRun run, String type, String reason, String message) {
    String namespace = run.getMetadata().getNamespace();
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    LOG.info("{}/{} {} {}: {}", namespace, run.getMetadata().getName(), type, reason, message);
    Event event = new EventBuilder()
        .withNewMetadata()
          .withName(run.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
          .withNamespace(namespace)
        .endMetadata()
        .withNewInvolvedObject()
          .withApiVersion(run.getApiVersion())
          .withKind(run.getKind())
          .withName(run.getMetadata().getName())
          .withNamespace(namespace)
          .withUid(run.getMetadata().getUid())
          .withResourceVersion(run.getMetadata().getResourceVersion())
        .endInvolvedObject()
        .withType(type)
        .withReason(reason)
        .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .build();
    sender.execute(() -> {
      try {
        client.v1().events().inNamespace(namespace).resource(event).create();
      } catch (RuntimeException e) {
        LOG.warn("cannot record event {} on {}/{}: {}", reason, namespace, event.getInvolvedObject().getName(),
            e.getMessage());
      }
    });
  }
}
