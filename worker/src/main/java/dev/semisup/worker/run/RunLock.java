package dev.semisup.worker.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.worker.stages.BadInputException;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per run: {@code <prefix>/run.lock}, held by {@code semisup run}, {@code semisup
 * experiment} and a local {@code semisup stage} while they write the run, so two of them on one
 * store do not redo (and overwrite) each other's steps. The lock names its holder (host, pid, the
 * process's start time) and carries a lease that a heartbeat renews; a second writer is refused
 * with exit 2 naming the holder. A lock outlives its holder only until it is seen stale: at once
 * when the holder was a process on this host that no longer runs (a pid reused by another process
 * counts as gone), else when its lease ran out with no heartbeat. The pods of a run on a cluster
 * take no lock: the operator is their one orchestrator, and the shards of a step run side by side.
 *
 * <p>The lock is created with {@link ObjectStore#putIfAbsent} and read back, so of two writers
 * racing for a free lock one wins (on an S3 store that ignores {@code If-None-Match}, the last write
 * wins and the read-back tells each which one it was).
 */
public final class RunLock implements AutoCloseable {

  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ATTEMPTS = 5;

  /** What a lock holds: who took it and until when its lease runs without a heartbeat. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Holder(String run, String host, long pid, String processStarted, String acquiredAt, String expiresAt,
      String token) {

    String describe() {
      return "pid " + pid + " on host " + host + " (process started " + processStarted + "), holding it since "
          + acquiredAt + ", lease renewed until " + expiresAt;
    }
  }

  /** The run is being written by another live process. */
  public static final class HeldException extends BadInputException {
    HeldException(String message) {
      super(message);
    }
  }

  private final ObjectStore store;
  private final String key;
  private final Clock clock;
  private final Duration lease;
  private final ScheduledExecutorService heartbeat;
  private final Thread releaseOnExit;
  private volatile Holder held;

  private RunLock(ObjectStore store, String key, Holder held, Clock clock, Duration lease) {
    this.store = store;
    this.key = key;
    this.held = held;
    this.clock = clock;
    this.lease = lease;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "run-lock-heartbeat");
      thread.setDaemon(true);
      return thread;
    });
    long every = Math.max(1, lease.toMillis() / 3);
    heartbeat.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    // Ctrl-C runs shutdown hooks, not finally blocks: the lock goes with the process either way.
    this.releaseOnExit = new Thread(this::release, "run-lock-release");
    Runtime.getRuntime().addShutdownHook(releaseOnExit);
  }

  /** Takes the run's lock, or throws {@link HeldException} naming the live process that holds it. */
  public static RunLock acquire(ObjectStore store, ObjectLayout layout, String run) throws IOException {
    return acquire(store, layout, run, Clock.systemUTC(), DEFAULT_LEASE);
  }

  static RunLock acquire(ObjectStore store, ObjectLayout layout, String run, Clock clock, Duration lease)
      throws IOException {
    String key = layout.runLock();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Optional<Holder> current = read(store, key);
      if (current.isPresent()) {
        Holder holder = current.get();
        String stale = staleness(holder, clock.instant());
        if (stale == null) {
          throw new HeldException("run " + run + " is being written by another semisup process: "
              + holder.describe() + " (lock " + store.uri(key) + "); wait for it to finish or stop it. A lock whose"
              + " process died is taken over at once on its host, elsewhere when its lease runs out");
        }
        LOG.warn("{}: taking over the lock of run {} from {}: {}", store.uri(key), run, holder.describe(), stale);
        // Delete only the stale lock read: another writer may have replaced it since.
        if (read(store, key).map(again -> again.token().equals(holder.token())).orElse(false)) {
          store.delete(key);
        }
        continue;
      }
      Instant now = clock.instant();
      Holder me = new Holder(run, Identity.HOST, Identity.PID, Identity.STARTED, now.toString(),
          now.plus(lease).toString(), UUID.randomUUID().toString());
      store.putIfAbsent(key, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(me));
      // Read back: a retried create may have been ours, and a store without conditional writes lets the last win.
      if (read(store, key).map(won -> won.token().equals(me.token())).orElse(false)) {
        return new RunLock(store, key, me, clock, lease);
      }
    }
    throw new IOException("could not take the lock " + store.uri(key) + " of run " + run + " in " + ATTEMPTS
        + " attempts: other writers keep taking it");
  }

  /** Why the holder no longer holds the lock, or null while it does. */
  static String staleness(Holder holder, Instant now) {
    if (Identity.HOST.equals(holder.host())) {
      Optional<ProcessHandle> process = ProcessHandle.of(holder.pid());
      if (process.isEmpty() || !process.get().isAlive()) {
        return "its process no longer runs on this host";
      }
      String started = process.get().info().startInstant().map(Instant::toString).orElse(Identity.UNKNOWN);
      if (!Identity.UNKNOWN.equals(holder.processStarted()) && !Identity.UNKNOWN.equals(started)
          && !started.equals(holder.processStarted())) {
        return "pid " + holder.pid() + " is now another process (started " + started + ")";
      }
      return null;
    }
    return now.isAfter(Instant.parse(holder.expiresAt()))
        ? "its lease ran out at " + holder.expiresAt() + " with no heartbeat since" : null;
  }

  private static Optional<Holder> read(ObjectStore store, String key) throws IOException {
    byte[] bytes;
    try {
      bytes = store.get(key);
    } catch (java.io.FileNotFoundException gone) {
      return Optional.empty();
    }
    try {
      Holder holder = JSON.readValue(bytes, Holder.class);
      if (holder == null || holder.token() == null || holder.host() == null || holder.expiresAt() == null) {
        throw new IOException("no holder in it");
      }
      Instant.parse(holder.expiresAt());
      return Optional.of(holder);
    } catch (IOException | java.time.format.DateTimeParseException e) {
      throw new BadInputException(store.uri(key) + " is not a run lock (JSON naming its holder): delete it if no"
          + " semisup process is writing this run", e);
    }
  }

  private void renew() {
    Holder current = held;
    if (current == null) {
      return;
    }
    try {
      Optional<Holder> stored = read(store, key);
      if (stored.isEmpty() || !stored.get().token().equals(current.token())) {
        LOG.error("{}: the run's lock was taken by {}: another process may now write this run too", store.uri(key),
            stored.map(Holder::describe).orElse("nobody (it was deleted)"));
        held = null;
        return;
      }
      Holder renewed = new Holder(current.run(), current.host(), current.pid(), current.processStarted(),
          current.acquiredAt(), clock.instant().plus(lease).toString(), current.token());
      store.put(key, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(renewed));
      held = renewed;
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: cannot renew the run's lock (retried at the next heartbeat): {}", store.uri(key), e.toString());
    }
  }

  /** Deletes the lock if it is still this process's. */
  private synchronized void release() {
    heartbeat.shutdownNow();
    Holder current = held;
    held = null;
    if (current == null) {
      return;
    }
    try {
      if (read(store, key).map(stored -> stored.token().equals(current.token())).orElse(false)) {
        store.delete(key);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: cannot release the run's lock ({}); it is taken over once seen stale", store.uri(key), e.toString());
    }
  }

  @Override
  public void close() {
    release();
    try {
      Runtime.getRuntime().removeShutdownHook(releaseOnExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs (or ran) release, which does nothing the second time.
    }
  }

  /** This process, as a lock names it. */
  private static final class Identity {
    static final String UNKNOWN = "unknown";
    static final long PID = ProcessHandle.current().pid();
    static final String STARTED = ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(UNKNOWN);
    static final String HOST = host();

    private static String host() {
      try {
        return Objects.requireNonNullElse(InetAddress.getLocalHost().getHostName(), UNKNOWN);
      } catch (IOException e) {
        return Objects.requireNonNullElse(System.getenv("HOSTNAME"), UNKNOWN);
      }
    }
  }
}
