package dev.semisup.worker.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The three rank ranges of a contact sheet, for classes of every size. */
class ContactSheetPicksTest {

  @Test
  void rangesNeverOverlapAndShowEveryEntryOfASmallClassOnce() {
    for (int perRole = 1; perRole <= 5; perRole++) {
      for (int count = 0; count <= 40; count++) {
        ContactSheetPicks.Ranges ranges = ContactSheetPicks.Ranges.of(count, perRole);
        int shown = 0;
        int[] perRoleShown = new int[3];
        for (int rank = 0; rank < count; rank++) {
          ContactSheetPicks.Role role = ranges.roleOf(rank);
          if (role != null) {
            shown++;
            perRoleShown[role.ordinal()]++;
          }
        }
        assertThat(shown).as("count %d, per role %d", count, perRole).isEqualTo(Math.min(count, 3 * perRole));
        for (int shownOfRole : perRoleShown) {
          assertThat(shownOfRole).isLessThanOrEqualTo(perRole);
        }
        if (count >= 3 * perRole) {
          assertThat(perRoleShown).containsExactly(perRole, perRole, perRole);
          assertThat(ranges.roleOf(0)).isEqualTo(ContactSheetPicks.Role.TOP);
          assertThat(ranges.roleOf(count - 1)).isEqualTo(ContactSheetPicks.Role.BOTTOM);
        }
      }
    }
  }

  @Test
  void middleIsCenteredOnTheMedianRank() {
    ContactSheetPicks.Ranges ranges = ContactSheetPicks.Ranges.of(100, 4);
    assertThat(ranges.middleFrom()).isEqualTo(48);
    assertThat(ranges.middleTo()).isEqualTo(52);
    assertThat(ranges.bottomFrom()).isEqualTo(96);
  }
}
