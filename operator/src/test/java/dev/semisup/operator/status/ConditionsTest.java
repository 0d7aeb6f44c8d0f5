package dev.semisup.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

  @Test
  void transitionTimeMovesOnlyWhenTheStatusFlips() {
    List<Condition> conditions = new ArrayList<>();
    Conditions.set(conditions, "StorageReachable", true, "Reachable", "read", "2026-11-28T10:00:00Z", 1L);
    Conditions.set(conditions, "StorageReachable", true, "Reachable", "read again", "2026-11-28T10:05:00Z", 1L);
    assertThat(conditions).singleElement().satisfies(c -> {
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-28T10:00:00Z");
      assertThat(c.getMessage()).isEqualTo("read again");
    });
    Conditions.set(conditions, "StorageReachable", false, "ConnectionFailed", "down", "2026-11-28T10:06:00Z", 1L);
    assertThat(conditions.get(0).getLastTransitionTime()).isEqualTo("2026-11-28T10:06:00Z");
  }

  @Test
  void aDuplicatedTypeIsFoldedIntoOne() {
    List<Condition> conditions = new ArrayList<>(List.of(
        new ConditionBuilder().withType("Ready").withStatus("False").build(),
        new ConditionBuilder().withType("StorageReachable").withStatus("True").build(),
        new ConditionBuilder().withType("StorageReachable").withStatus("True").build()));
    Conditions.set(conditions, "StorageReachable", true, "Reachable", "read", "2026-11-28T10:00:00Z", 1L);
    assertThat(conditions).extracting(Condition::getType).containsExactly("Ready", "StorageReachable");
  }

  @Test
  void clearLeavesConditionsThatNeverAppliedAbsent() {
    List<Condition> conditions = new ArrayList<>();
    Conditions.clear(conditions, "Suspended", "Resumed", "no", "2026-11-28T10:00:00Z", 1L);
    assertThat(conditions).isEmpty();
  }
}
