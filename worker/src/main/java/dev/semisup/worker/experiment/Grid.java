package dev.semisup.worker.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An experiment: a base manifest, the axes to vary (spec paths and their values), named variants
 * that set several fields at once, the seeds, and the plots to draw. Read by {@link GridFile};
 * expanded into runs by {@link GridPoints}.
 *
 * @param seedStride seed s shifts every {@code seed} field of the base by {@code seedStride x (s - 1)},
 *                   as bench/demo-gain.sh does: another labeled subset and other initial weights
 */
public record Grid(Path file, String name, ObjectNode base, List<Integer> seeds, int seedStride, List<Axis> axes,
    List<Variant> variants, List<PlotSpec> plots) {

  public Grid {
    seeds = List.copyOf(seeds);
    axes = List.copyOf(axes);
    variants = List.copyOf(variants);
    plots = List.copyOf(plots);
  }

  /** One varied field: its path under {@code spec} (e.g. {@code sampling.topK}) and its values. */
  public record Axis(String path, List<Value> values) {
  }

  /**
   * One value of an axis, and the other fields that go with it (a pool size with the K scaled to
   * it): {@code also} maps spec paths to values, empty for a plain value.
   */
  public record Value(JsonNode value, Map<String, JsonNode> also) {

    public Value {
      also = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(also));
    }

    public static Value of(JsonNode value) {
      return new Value(value, Map.of());
    }
  }

  /**
   * A named set of fields (paths under {@code spec}, a null value removes the field). A supervised
   * variant trains the teacher alone, on the labeled set: its result is the teacher's accuracy (with
   * {@code data.labeled.perClass} removed, the upper bound of all labels).
   */
  public record Variant(String name, Map<String, JsonNode> set, boolean supervised) {

    public Variant {
      set = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(set));
    }
  }

  /**
   * One plot: a metric against one column (an axis or {@code variant}), one line per combination
   * of the other columns' values, each point the mean over seeds with their min and max.
   */
  public record PlotSpec(String file, String x, Metric y, int width, int height) {
  }

  /**
   * How many runs the grid expands to (variants x every axis's values x seeds), computed from the
   * axes without expanding them; {@link Long#MAX_VALUE} when the product is larger than that.
   */
  public long size() {
    long runs = Math.max(1, variants.size());
    for (Axis axis : axes) {
      runs = saturatedProduct(runs, axis.values().size());
    }
    return saturatedProduct(runs, seeds.size());
  }

  private static long saturatedProduct(long a, long b) {
    return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
  }

  /** The column names of the points: "variant" when the grid has variants, then each axis. */
  public List<String> pointColumns() {
    List<String> columns = new java.util.ArrayList<>();
    if (!variants.isEmpty()) {
      columns.add(GridFile.VARIANT);
    }
    axes.forEach(axis -> columns.add(axis.path()));
    return columns;
  }
}
