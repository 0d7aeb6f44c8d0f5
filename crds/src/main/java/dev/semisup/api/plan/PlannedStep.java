package dev.semisup.api.plan;

/**
 * One step of the plan. Its id names the Job (<run>-<id>), the worker argument and the folder
 * of its artifacts: round 1 uses the bare stage name (teacher, infer, ...), later rounds add
 * "-r<round>" (infer-r2). {@code shards} is 1 except for the sharded steps, infer and pack, which
 * run as Indexed Jobs (one pod per shard) and keep a success marker per shard.
 */
public record PlannedStep(Stage stage, int round, int shards) {

  public PlannedStep {
    if (round < 1) {
      throw new IllegalArgumentException("round must be >= 1, was " + round);
    }
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, was " + shards);
    }
  }

  public String id() {
    return round == 1 ? stage.wireName() : stage.wireName() + "-r" + round;
  }

  public boolean sharded() {
    return stage == Stage.INFER || stage == Stage.PACK;
  }

  /** Parses an id made by {@link #id()}; shards are taken from the plan, not the id. */
  public static Stage stageOf(String id) {
    int dash = id.indexOf("-r");
    return Stage.fromWireName(dash < 0 ? id : id.substring(0, dash));
  }

  public static int roundOf(String id) {
    int dash = id.indexOf("-r");
    if (dash < 0) {
      return 1;
    }
    try {
      return Integer.parseInt(id.substring(dash + 2));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad step id '" + id + "' (expected e.g. infer or infer-r2)");
    }
  }
}
