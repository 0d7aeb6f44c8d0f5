package dev.semisup.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.report.RunMarker;
import dev.semisup.worker.stages.BadInputException;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A prefix belongs to the run its marker names: nobody else writes into it, nobody else deletes it. */
class RunOwnershipTest {

  @TempDir
  Path dir;

  ObjectStore store;
  final ObjectLayout alphaPrefix = new ObjectLayout("runs/team-a/alpha");
  final RunMarker alpha = new RunMarker("team-a", "alpha", "uid-1");

  @BeforeEach
  void store() {
    store = new LocalDirectoryStore(dir.resolve("store"));
  }

  RunMarker markerAt(ObjectLayout layout) throws IOException {
    return new ObjectMapper().readValue(store.get(layout.runMarker()), RunMarker.class);
  }

  @Test
  void aNewPrefixIsClaimedAndTheSameRunMayComeBack() throws IOException {
    RunOwnership.claim(store, alphaPrefix, alpha, false);
    assertThat(markerAt(alphaPrefix)).isEqualTo(alpha);
    store.putString(alphaPrefix.specSnapshot(), "{}");

    RunOwnership.claim(store, alphaPrefix, alpha, false);
    // A pod of the same run without the UID in its environment (an older operator) is the same run.
    RunOwnership.claim(store, alphaPrefix, new RunMarker("team-a", "alpha", null), false);
    assertThat(markerAt(alphaPrefix)).isEqualTo(alpha);
  }

  @Test
  void anotherRunsPrefixIsRefusedNamingTheOwner() throws IOException {
    RunOwnership.claim(store, alphaPrefix, alpha, false);
    assertThatThrownBy(() -> RunOwnership.claim(store, alphaPrefix, new RunMarker("team-b", "beta", "uid-2"), false))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("runs/team-a/alpha").hasMessageContaining("belongs to run team-a/alpha (uid uid-1)");
    // reuseArtifacts adopts only a run of the same namespace and name.
    assertThatThrownBy(() -> RunOwnership.claim(store, alphaPrefix, new RunMarker("team-b", "beta", "uid-2"), true))
        .isInstanceOf(BadInputException.class);
  }

  @Test
  void aRecreatedRunNeedsReuseArtifactsToAdoptTheOldMarker() throws IOException {
    RunOwnership.claim(store, alphaPrefix, alpha, false);
    RunMarker recreated = new RunMarker("team-a", "alpha", "uid-9");
    assertThatThrownBy(() -> RunOwnership.claim(store, alphaPrefix, recreated, false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("spec.storage.reuseArtifacts");

    RunOwnership.claim(store, alphaPrefix, recreated, true);
    assertThat(markerAt(alphaPrefix)).isEqualTo(recreated);
  }

  @Test
  void aPrefixHoldingSomeoneElsesObjectsIsRefused() throws IOException {
    store.putString("runs/team-a/alpha/teacher/model.params", "not ours");
    assertThatThrownBy(() -> RunOwnership.claim(store, alphaPrefix, alpha, false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("no run marker");
    assertThat(store.exists(alphaPrefix.runMarker())).isFalse();
  }

  @Test
  void prefixesNeitherContainNorLieInsideAnotherRunsPrefix() throws IOException {
    RunOwnership.claim(store, alphaPrefix, alpha, false);
    store.putString(alphaPrefix.specSnapshot(), "{}");

    assertThatThrownBy(() -> RunOwnership.claim(store, new ObjectLayout("runs/team-a/alpha/teacher"),
        RunMarker.local("inner"), false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("lies inside the prefix runs/team-a/alpha");
    assertThatThrownBy(() -> RunOwnership.claim(store, new ObjectLayout("runs/team-a"), RunMarker.local("outer"), false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("no run marker");
  }

  @Test
  void freshDeletesOnlyTheRunsOwnObjects() throws IOException {
    RunOwnership.claim(store, alphaPrefix, alpha, false);
    store.putString(alphaPrefix.specSnapshot(), "{}");
    store.putString("runs/team-a/alpha/teacher/_SUCCESS", "");
    // A run nested inside (left by a version without markers, or written around this check).
    store.putString("runs/team-a/alpha/nested/run.json", "{\"namespace\":\"local\",\"name\":\"nested\"}");
    store.putString("runs/team-a/alpha/nested/teacher/_SUCCESS", "");
    store.putString("runs/team-a/alphabet/report.json", "{}");

    RunOwnership.deleteOwnArtifacts(store, alphaPrefix);

    assertThat(store.list("runs/")).containsExactly("runs/team-a/alpha/nested/run.json",
        "runs/team-a/alpha/nested/teacher/_SUCCESS", "runs/team-a/alpha/run.json", "runs/team-a/alphabet/report.json");
  }
}
