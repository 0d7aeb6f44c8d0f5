package dev.semisup.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.store.ObjectStore;
import dev.semisup.worker.store.S3ObjectStore;
import dev.semisup.worker.store.S3TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectLayout LAYOUT = new ObjectLayout("semisup/runs/local/tiny");
  static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

  @TempDir
  Path dir;

  @Test
  void aSecondWriterIsRefusedNamingTheHolderUntilTheFirstReleases() throws Exception {
    ObjectStore store = new LocalDirectoryStore(dir);
    try (RunLock first = RunLock.acquire(store, LAYOUT, "local/tiny")) {
      RunLock.Holder holder = JSON.readValue(store.get(LAYOUT.runLock()), RunLock.Holder.class);
      assertThat(holder.pid()).isEqualTo(ProcessHandle.current().pid());
      assertThat(holder.processStarted()).isEqualTo(ProcessHandle.current().info().startInstant().orElseThrow().toString());
      assertThatThrownBy(() -> RunLock.acquire(store, LAYOUT, "local/tiny"))
          .isInstanceOf(RunLock.HeldException.class)
          .hasMessageContaining("pid " + holder.pid() + " on host " + holder.host());
    }
    assertThat(store.exists(LAYOUT.runLock())).isFalse();
    RunLock.acquire(store, LAYOUT, "local/tiny").close();
  }

  @Test
  @Timeout(120)
  void theLockOfASigkilledProcessIsTakenOverAtOnce() throws Exception {
    ObjectStore store = new LocalDirectoryStore(dir);
    Process holder = startHolder();
    assertThatThrownBy(() -> RunLock.acquire(store, LAYOUT, "local/tiny"))
        .isInstanceOf(RunLock.HeldException.class).hasMessageContaining("pid " + holder.pid());

    holder.destroyForcibly(); // SIGKILL: no shutdown hook releases the lock
    assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(holder.exitValue()).isEqualTo(137);
    assertThat(store.exists(LAYOUT.runLock())).as("the dead holder's lock is still there").isTrue();

    try (RunLock next = RunLock.acquire(store, LAYOUT, "local/tiny")) {
      assertThat(JSON.readValue(store.get(LAYOUT.runLock()), RunLock.Holder.class).pid())
          .isEqualTo(ProcessHandle.current().pid());
    }
  }

  @Test
  @Timeout(120)
  void aHolderStoppedWithSigtermReleasesItsLockOnTheWayOut() throws Exception {
    ObjectStore store = new LocalDirectoryStore(dir);
    Process holder = startHolder();
    holder.destroy(); // SIGTERM, as Ctrl-C's SIGINT: shutdown hooks run, finally blocks do not
    assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(holder.exitValue()).isEqualTo(143);
    assertThat(store.exists(LAYOUT.runLock())).isFalse();
  }

  private Process startHolder() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process holder = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        HoldUntilKilled.class.getName(), dir.toString()).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
    String line;
    do {
      line = out.readLine();
    } while (line != null && !line.equals(HoldUntilKilled.HELD));
    assertThat(line).as("the child's output before it exited").isNotNull();
    return holder;
  }

  @Test
  void aLeaseFromAnotherHostHoldsUntilItRunsOutWithoutAHeartbeat() throws Exception {
    ObjectStore store = new LocalDirectoryStore(dir);
    store.put(LAYOUT.runLock(), JSON.writeValueAsBytes(new RunLock.Holder("local/tiny", "another-host", 4242,
        "2026-12-06T09:00:00Z", "2026-12-06T09:00:01Z", NOW.plusSeconds(30).toString(), "their-token")));

    assertThatThrownBy(() -> RunLock.acquire(store, LAYOUT, "local/tiny", Clock.fixed(NOW, ZoneOffset.UTC),
        Duration.ofSeconds(60))).isInstanceOf(RunLock.HeldException.class)
        .hasMessageContaining("pid 4242 on host another-host").hasMessageContaining("lease renewed until 2026-12-06T10:00:30Z");

    Clock later = Clock.fixed(NOW.plusSeconds(31), ZoneOffset.UTC);
    try (RunLock lock = RunLock.acquire(store, LAYOUT, "local/tiny", later, Duration.ofSeconds(60))) {
      assertThat(JSON.readValue(store.get(LAYOUT.runLock()), RunLock.Holder.class).token()).isNotEqualTo("their-token");
    }
  }

  @Test
  @Timeout(120)
  void onS3TheHeartbeatRenewsTheLeaseAndAnExpiredLeaseIsTakenOver() throws Exception {
    try (S3TestServer s3 = S3TestServer.start()) {
      ObjectStore store = new S3ObjectStore(s3.endpointClient(), s3.bucket());
      try (RunLock lock = RunLock.acquire(store, LAYOUT, "local/tiny", Clock.systemUTC(), Duration.ofMillis(600))) {
        Instant first = Instant.parse(JSON.readValue(store.get(LAYOUT.runLock()), RunLock.Holder.class).expiresAt());
        Instant renewed = first;
        for (int i = 0; i < 100 && !renewed.isAfter(first); i++) {
          Thread.sleep(50);
          renewed = Instant.parse(JSON.readValue(store.get(LAYOUT.runLock()), RunLock.Holder.class).expiresAt());
        }
        assertThat(renewed).as("the heartbeat renewed the lease").isAfter(first);
        assertThatThrownBy(() -> RunLock.acquire(store, LAYOUT, "local/tiny")).isInstanceOf(RunLock.HeldException.class);
      }
      assertThat(store.exists(LAYOUT.runLock())).isFalse();

      store.put(LAYOUT.runLock(), JSON.writeValueAsBytes(new RunLock.Holder("local/tiny", "another-host", 4242,
          "2026-12-06T09:00:00Z", "2026-12-06T09:00:01Z", NOW.toString(), "their-token")));
      try (RunLock lock = RunLock.acquire(store, LAYOUT, "local/tiny", Clock.fixed(NOW.plusSeconds(1), ZoneOffset.UTC),
          Duration.ofSeconds(60))) {
        assertThat(JSON.readValue(store.get(LAYOUT.runLock()), RunLock.Holder.class).host()).isNotEqualTo("another-host");
      }
    }
  }

  /** The holder side: takes the lock, says so, and waits to be killed. */
  public static final class HoldUntilKilled {
    static final String HELD = "lock held";

    public static void main(String[] args) throws Exception {
      RunLock.acquire(new LocalDirectoryStore(Path.of(args[0])), LAYOUT, "local/tiny");
      System.out.println(HELD);
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
