package dev.semisup.worker.report;

import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.CandidateSink;
import java.util.ArrayList;
import java.util.List;

/**
 * Which sampled-index entries a class's contact sheet shows: its {@code perRole} highest-scored,
 * the {@code perRole} around its median, and its {@code perRole} lowest-scored, found in one pass
 * over the index (sorted by class, then best first) from each class's entry count. Memory is the
 * picks only: chosen classes x 3 x perRole entries, never the index.
 */
public final class ContactSheetPicks implements CandidateSink {

  /** Where in its class's ranking an entry sits. */
  public enum Role {
    TOP("highest scores"), MIDDLE("around the median"), BOTTOM("lowest scores");

    private final String caption;

    Role(String caption) {
      this.caption = caption;
    }

    public String caption() {
      return caption;
    }

    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One shown entry: its role, its 0-based rank in its class, and the entry. */
  public record Pick(Role role, int rank, Candidate entry) {
  }

  /** The three rank ranges [from, to) of a class of {@code count} entries; they never overlap. */
  public record Ranges(int topEnd, int middleFrom, int middleTo, int bottomFrom, int count) {

    public static Ranges of(int count, int perRole) {
      int topEnd = Math.min(perRole, count);
      int bottomFrom = Math.max(topEnd, count - perRole);
      int middleFrom = Math.max(topEnd, count / 2 - perRole / 2);
      int middleTo = Math.min(bottomFrom, middleFrom + perRole);
      return new Ranges(topEnd, Math.min(middleFrom, middleTo), middleTo, bottomFrom, count);
    }

    /** The role of rank {@code rank}, or null when the sheet does not show it. */
    public Role roleOf(int rank) {
      if (rank < topEnd) {
        return Role.TOP;
      }
      if (rank >= bottomFrom && rank < count) {
        return Role.BOTTOM;
      }
      if (rank >= middleFrom && rank < middleTo) {
        return Role.MIDDLE;
      }
      return null;
    }
  }

  private final int[] counts;
  private final boolean[] chosen;
  private final int perRole;
  private final List<List<Pick>> picks;
  private final int[] seen;

  /**
   * @param counts  entries per class, as the index's summary says
   * @param chosen  the classes whose sheets are shown
   * @param perRole entries shown per role
   */
  public ContactSheetPicks(int[] counts, boolean[] chosen, int perRole) {
    if (counts.length != chosen.length || perRole < 1) {
      throw new IllegalArgumentException(counts.length + " counts, " + chosen.length + " chosen flags, "
          + perRole + " per role");
    }
    this.counts = counts.clone();
    this.chosen = chosen.clone();
    this.perRole = perRole;
    this.seen = new int[counts.length];
    this.picks = new ArrayList<>(counts.length);
    for (int i = 0; i < counts.length; i++) {
      picks.add(new ArrayList<>());
    }
  }

  @Override
  public void accept(Candidate entry) {
    int cls = entry.pseudoLabel();
    int rank = seen[cls]++;
    if (!chosen[cls]) {
      return;
    }
    Role role = Ranges.of(counts[cls], perRole).roleOf(rank);
    if (role != null) {
      picks.get(cls).add(new Pick(role, rank, entry));
    }
  }

  /** Entries the pass saw per class that the summary did not count: an index and summary out of step. */
  public String mismatch() {
    for (int cls = 0; cls < counts.length; cls++) {
      if (seen[cls] != counts[cls]) {
        return "class " + cls + " has " + seen[cls] + " index entries, its summary says " + counts[cls];
      }
    }
    return null;
  }

  /** A chosen class's picks in rank order: top, middle, bottom. */
  public List<Pick> of(int cls) {
    return List.copyOf(picks.get(cls));
  }

  public boolean chosen(int cls) {
    return chosen[cls];
  }

  public int perRole() {
    return perRole;
  }
}
