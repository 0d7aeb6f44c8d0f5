package dev.semisup.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.StorageCleanup;
import dev.semisup.operator.testing.ReconcilerHarness;
import dev.semisup.operator.testing.Runs;
import io.fabric8.kubernetes.api.model.Event;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** storage.cleanup on deletion: what goes, what stays, and that another run's data always stays. */
class ArtifactCleanupTest {

  private final ReconcilerHarness harness = new ReconcilerHarness();
  private final ObjectLayout mine = new ObjectLayout("runs/ml/fmnist");
  private final ObjectLayout neighbour = new ObjectLayout("runs/ml/fmnist-2");

  @AfterEach
  void close() {
    harness.close();
  }

  private SemiSupervisedRun created(StorageCleanup cleanup) throws Exception {
    SemiSupervisedRun run = Runs.run("fmnist");
    run.getSpec().getStorage().setCleanup(cleanup);
    SemiSupervisedRun created = harness.cluster.create(run);
    harness.reconcile("fmnist"); // accepted: the status keeps the spec it runs with
    harness.artifacts.put("runs/ml/fmnist/teacher/model.params", new byte[3]);
    harness.artifacts.put("runs/ml/fmnist/teacher/_SUCCESS", "");
    harness.artifacts.put(neighbour.runMarker(), new RunMarker("ml", "fmnist-2", "uid-2"));
    harness.artifacts.put("runs/ml/fmnist-2/teacher/_SUCCESS", "");
    return created;
  }

  @Test
  void deleteRemovesEveryObjectUnderTheRunsOwnPrefixOnly() throws Exception {
    SemiSupervisedRun run = created(StorageCleanup.Delete);
    harness.artifacts.put(mine.runMarker(), new RunMarker("ml", "fmnist", run.getMetadata().getUid()));

    harness.delete("fmnist");

    assertThat(harness.run("fmnist")).as("the finalizer went").isNull();
    assertThat(harness.artifacts.keys()).containsExactlyInAnyOrder(neighbour.runMarker(),
        "runs/ml/fmnist-2/teacher/_SUCCESS");
    assertThat(harness.eventReasons("Normal")).contains("ArtifactsDeleted");
  }

  @Test
  void keepLeavesTheArtifacts() throws Exception {
    created(StorageCleanup.Keep);
    assertThat(harness.run("fmnist").getMetadata().getFinalizers()).as("nothing to do on deletion").isEmpty();
    harness.delete("fmnist");
    assertThat(harness.run("fmnist")).isNull();
    assertThat(harness.artifacts.keys()).contains("runs/ml/fmnist/teacher/model.params");
  }

  @Test
  void aPrefixWhoseMarkerNamesAnotherRunIsNeverDeleted() throws Exception {
    created(StorageCleanup.Delete);
    harness.artifacts.put(mine.runMarker(), new RunMarker("ml", "fmnist", "uid-of-an-earlier-run"));

    harness.delete("fmnist");

    assertThat(harness.run("fmnist")).isNull();
    assertThat(harness.artifacts.keys()).contains("runs/ml/fmnist/teacher/model.params", mine.runMarker());
    assertThat(harness.eventReasons("Warning")).contains("CleanupSkipped");
  }

  @Test
  void anUnreachableStoreKeepsTheFinalizerAndTriesAgain() throws Exception {
    created(StorageCleanup.Delete);
    harness.artifacts.down(true);

    harness.delete("fmnist");

    assertThat(harness.run("fmnist").getMetadata().getFinalizers()).containsExactly(CleanupFinalizer.NAME);
    assertThat(harness.reconcile("fmnist").getScheduleDelay()).contains(10_000L);
    harness.artifacts.down(false);
    harness.delete("fmnist");
    assertThat(harness.run("fmnist")).isNull();
    assertThat(harness.artifacts.keys()).doesNotContain("runs/ml/fmnist/teacher/model.params");
  }

  @Test
  void whileTheStoreIsUnreachableOneCleanupWaitingEventCountsTheTries() throws Exception {
    created(StorageCleanup.Delete);
    harness.artifacts.down(true);

    for (int i = 0; i < 3; i++) {
      harness.delete("fmnist");
    }
    assertThat(harness.run("fmnist")).isNotNull();

    // As Kubernetes' own event recorder does: the same object, reason and message is one Event.
    List<Event> waiting = harness.events().stream().filter(e -> "CleanupWaiting".equals(e.getReason())).toList();
    assertThat(waiting).singleElement().satisfies(event -> {
      assertThat(event.getCount()).isEqualTo(3);
      assertThat(event.getLastTimestamp()).isGreaterThanOrEqualTo(event.getFirstTimestamp());
    });
  }
}
