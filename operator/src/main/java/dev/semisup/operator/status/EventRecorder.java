package dev.semisup.operator.status;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that writes Kubernetes Events about runs. As Kubernetes' own event recorder does,
 * an event that repeats one already sent (same run, type, reason and message) is not a new Event:
 * the first one's count and lastTimestamp grow. Events go out in order on one background thread, so
 * a reconcile never waits for them; one that cannot be written is logged, never fails a reconcile.
 * A reconcile's events wait in {@link PendingEvents} until its status is written.
 */
public class EventRecorder implements RunEvents, AutoCloseable {

  public static final String COMPONENT = "semisup-operator";
  /** Events remembered for aggregation, least recently sent dropped first (client-go keeps 4096). */
  static final int REMEMBERED = 4096;
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final Clock clock;
  /** Touched on the sender thread only. */
  private final Map<Key, Sent> sent = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Sent> eldest) {
      return size() > REMEMBERED;
    }
  };
  private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
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
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    flush();
    sender.shutdown();
  }

  @Override
  public void normal(SemiSupervisedRun run, String reason, String message) {
    record(run, "Normal", reason, message);
  }

  @Override
  public void warning(SemiSupervisedRun run, String reason, String message) {
    record(run, "Warning", reason, message);
  }

  private void record(SemiSupervisedRun run, String type, String reason, String message) {
    String namespace = run.getMetadata().getNamespace();
    String bounded = message.length() > 1024 ? message.substring(0, 1021) + "..." : message;
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    LOG.info("{}/{} {} {}: {}", namespace, run.getMetadata().getName(), type, reason, message);
    Key key = new Key(namespace, run.getMetadata().getName(), run.getMetadata().getUid(), type, reason, bounded);
    Event first = new EventBuilder()
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
        .withMessage(bounded)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .build();
    sender.execute(() -> send(key, first, now));
  }

  private void send(Key key, Event first, String now) {
    try {
      Sent before = sent.get(key);
      if (before != null && repeat(key, before, now)) {
        return;
      }
      client.v1().events().inNamespace(key.namespace()).resource(first).create();
      sent.put(key, new Sent(first, 1));
    } catch (RuntimeException e) {
      LOG.warn("cannot record event {} on {}/{}: {}", key.reason(), key.namespace(), key.run(), e.getMessage());
    }
  }

  /** Counts a repeat on the Event already sent; false when that Event is gone (expired), so a new one goes out. */
  private boolean repeat(Key key, Sent before, String now) {
    int count = before.count() + 1;
    try {
      // Through the Event as sent: Fabric8 would otherwise GET it first to learn what to patch.
      client.v1().events().inNamespace(key.namespace()).resource(before.event())
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}");
      sent.put(key, new Sent(before.event(), count));
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        sent.remove(key);
        return false;
      }
      throw e;
    }
  }

  private record Key(String namespace, String run, String uid, String type, String reason, String message) {
  }

  private record Sent(Event event, int count) {
  }
}
