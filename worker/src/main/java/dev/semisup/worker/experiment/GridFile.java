package dev.semisup.worker.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.semisup.api.naming.RunName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a grid file (YAML) strictly: an unknown key, a wrong type or a missing part is an error
 * naming the file and the field, never ignored.
 *
 * <pre>
 * name: k-sweep                      # the experiment: its folder and the prefix of its run names
 * base: ../fashion-mnist.yaml        # a manifest path (relative to this file), or the manifest inline
 * seeds: [1, 2, 3]                   # each shifts every seed field of the base by seedStride x (s - 1)
 * seedStride: 10                     # default 10, as bench/demo-gain.sh
 * set:                               # optional: spec paths set on the base for every point
 *   data.validateEveryEpochs: 10
 * axes:                              # spec paths and their values; every combination is a point
 *   sampling.topK: [1000, 2000, 5000]
 *   data.unlabeled.limit:            # a value may bring other fields along (K scaled to the pool)
 *     - {value: 10000, also: {sampling.topK: 850}}
 * variants:                          # optional; each crossed with the axes
 *   - name: method
 *   - name: supervised only
 *     supervised: true               # the teacher alone, on the labeled set
 * plots:
 *   - {file: k-sweep.png, x: sampling.topK, y: final, width: 800, height: 500}   # a line per other column's value
 * </pre>
 */
public final class GridFile {

  /** The column (and plot series) of the variants' names. */
  public static final String VARIANT = "variant";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  private static final Set<String> KEYS = Set.of("name", "description", "base", "seeds", "seedStride", "set",
      "axes", "variants", "plots");
  private static final Set<String> VARIANT_KEYS = Set.of("name", "set", "supervised");
  private static final Set<String> PLOT_KEYS = Set.of("file", "x", "y", "width", "height");
  /** The run names are {@code <name>-teacher-<10 hex>}: what is left of a run name's characters. */
  static final int MAX_NAME = RunName.MAX_LENGTH - "-teacher-".length() - GridPoints.HASH_CHARS;

  private GridFile() {
  }

  public static Grid read(Path file) throws GridException {
    String where = file.toString();
    JsonNode tree;
    try {
      tree = YAML.readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new GridException(where, "file", "does not exist");
    } catch (JsonProcessingException e) {
      throw new GridException(where, "file", "is not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new GridException(where, "file", "cannot be read: " + e.getMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new GridException(where, "file", "must be a mapping with name, base, seeds and axes or variants");
    }
    unknownKeys(where, "", tree, KEYS);

    String name = text(where, "name", tree.get("name"));
    if (!RunName.isValid(name) || name.length() > MAX_NAME) {
      throw new GridException(where, "name", "must be lower-case letters, digits and '-' (it starts every run's"
          + " name), at most " + MAX_NAME + " characters, was '" + name + "'");
    }
    ObjectNode base = base(file, tree.get("base"));
    Map<String, JsonNode> everyPoint = specFields(where, "set", tree.get("set"));
    if (!everyPoint.isEmpty() && !(base.get("spec") instanceof ObjectNode)) {
      throw new GridException(where, "base", "has no spec mapping for set to change");
    }
    everyPoint.forEach((path, value) -> GridPoints.set((ObjectNode) base.get("spec"), path, value));
    List<Integer> seeds = seeds(where, tree.get("seeds"));
    int seedStride = tree.has("seedStride") ? positive(where, "seedStride", tree.get("seedStride")) : 10;
    List<Grid.Axis> axes = axes(where, tree.get("axes"));
    List<Grid.Variant> variants = variants(where, tree.get("variants"));
    if (axes.isEmpty() && variants.isEmpty()) {
      throw new GridException(where, "axes", "is required when there are no variants: what does the grid vary?");
    }
    Grid grid = new Grid(file, name, base, seeds, seedStride, axes, variants, List.of());
    return new Grid(file, name, base, seeds, seedStride, axes, variants, plots(where, tree.get("plots"), grid));
  }

  private static ObjectNode base(Path file, JsonNode node) throws GridException {
    String where = file.toString();
    if (node == null || node.isNull()) {
      throw new GridException(where, "base", "is required: a manifest path (relative to this file) or a manifest inline");
    }
    if (node.isObject()) {
      return (ObjectNode) node.deepCopy();
    }
    if (!node.isTextual()) {
      throw new GridException(where, "base", "must be a manifest path or a mapping (the manifest inline)");
    }
    Path manifest = file.toAbsolutePath().getParent().resolve(node.asText()).normalize();
    JsonNode tree;
    try {
      tree = YAML.readTree(Files.readString(manifest));
    } catch (NoSuchFileException e) {
      throw new GridException(where, "base", manifest + " does not exist");
    } catch (IOException e) {
      throw new GridException(where, "base", manifest + " cannot be read: " + e.getMessage());
    }
    if (tree == null || !tree.isObject() || !tree.path("spec").isObject()) {
      throw new GridException(where, "base", manifest + " is not a SemiSupervisedRun manifest (no spec mapping)");
    }
    return (ObjectNode) tree;
  }

  private static List<Integer> seeds(String where, JsonNode node) throws GridException {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw new GridException(where, "seeds", "is required: a list of whole numbers >= 1, e.g. [1, 2, 3]");
    }
    List<Integer> seeds = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      int seed = positive(where, "seeds[" + i + "]", node.get(i));
      if (seeds.contains(seed)) {
        throw new GridException(where, "seeds[" + i + "]", "repeats seed " + seed);
      }
      seeds.add(seed);
    }
    return seeds;
  }

  private static List<Grid.Axis> axes(String where, JsonNode node) throws GridException {
    List<Grid.Axis> axes = new ArrayList<>();
    if (node == null || node.isNull()) {
      return axes;
    }
    if (!node.isObject()) {
      throw new GridException(where, "axes", "must be a mapping of spec paths to lists of values");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> axis = it.next();
      String field = "axes." + axis.getKey();
      String path = specPath(where, field, axis.getKey());
      if (!axis.getValue().isArray() || axis.getValue().isEmpty()) {
        throw new GridException(where, field, "must be a non-empty list of values");
      }
      List<Grid.Value> values = new ArrayList<>();
      for (int i = 0; i < axis.getValue().size(); i++) {
        Grid.Value value = axisValue(where, field + "[" + i + "]", axis.getValue().get(i));
        int earlier = values.indexOf(value);
        if (earlier >= 0) {
          // The same value twice is the same run twice: the summary would count one seed as two.
          throw new GridException(where, field + "[" + i + "]", "repeats the value " + value.value() + " of " + field
              + "[" + earlier + "]: each value of an axis must be listed once");
        }
        values.add(value);
      }
      axes.add(new Grid.Axis(path, values));
    }
    return axes;
  }

  /** A plain value, or {value: V, also: {path: value, ...}} for fields that change with it. */
  private static Grid.Value axisValue(String where, String field, JsonNode node) throws GridException {
    if (!node.isObject()) {
      return Grid.Value.of(node);
    }
    unknownKeys(where, field + ".", node, Set.of("value", "also"));
    if (!node.has("value") || !node.get("value").isValueNode()) {
      throw new GridException(where, field + ".value", "is required: the axis's own value (a number or a text)");
    }
    Map<String, JsonNode> also = new LinkedHashMap<>();
    JsonNode fields = node.get("also");
    if (fields != null && !fields.isNull()) {
      if (!fields.isObject()) {
        throw new GridException(where, field + ".also", "must be a mapping of spec paths to values");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        also.put(specPath(where, field + ".also." + entry.getKey(), entry.getKey()), entry.getValue());
      }
    }
    return new Grid.Value(node.get("value"), also);
  }

  private static List<Grid.Variant> variants(String where, JsonNode node) throws GridException {
    List<Grid.Variant> variants = new ArrayList<>();
    if (node == null || node.isNull()) {
      return variants;
    }
    if (!node.isArray()) {
      throw new GridException(where, "variants", "must be a list of {name, set, supervised}");
    }
    for (int i = 0; i < node.size(); i++) {
      String field = "variants[" + i + "]";
      JsonNode variant = node.get(i);
      if (!variant.isObject()) {
        throw new GridException(where, field, "must be a mapping with a name");
      }
      unknownKeys(where, field + ".", variant, VARIANT_KEYS);
      String name = text(where, field + ".name", variant.get("name"));
      for (Grid.Variant earlier : variants) {
        if (earlier.name().equals(name)) {
          throw new GridException(where, field + ".name", "repeats the variant '" + name + "'");
        }
      }
      Map<String, JsonNode> set = specFields(where, field + ".set", variant.get("set"));
      JsonNode supervised = variant.get("supervised");
      if (supervised != null && !supervised.isBoolean()) {
        throw new GridException(where, field + ".supervised", "must be true or false");
      }
      variants.add(new Grid.Variant(name, set, supervised != null && supervised.asBoolean()));
    }
    return variants;
  }

  /** A {@code set} mapping: spec paths to values, in the file's order (none when absent). */
  private static Map<String, JsonNode> specFields(String where, String field, JsonNode fields) throws GridException {
    Map<String, JsonNode> set = new LinkedHashMap<>();
    if (fields == null || fields.isNull()) {
      return set;
    }
    if (!fields.isObject()) {
      throw new GridException(where, field, "must be a mapping of spec paths to values");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      set.put(specPath(where, field + "." + entry.getKey(), entry.getKey()), entry.getValue());
    }
    return set;
  }

  private static List<Grid.PlotSpec> plots(String where, JsonNode node, Grid grid) throws GridException {
    List<Grid.PlotSpec> plots = new ArrayList<>();
    if (node == null || node.isNull()) {
      return plots;
    }
    if (!node.isArray()) {
      throw new GridException(where, "plots", "must be a list of {file, x, y, width, height}");
    }
    List<String> columns = grid.pointColumns();
    for (int i = 0; i < node.size(); i++) {
      String field = "plots[" + i + "]";
      JsonNode plot = node.get(i);
      if (!plot.isObject()) {
        throw new GridException(where, field, "must be a mapping");
      }
      unknownKeys(where, field + ".", plot, PLOT_KEYS);
      String file = text(where, field + ".file", plot.get("file"));
      if (!file.matches("[A-Za-z0-9._-]+\\.png")) {
        throw new GridException(where, field + ".file", "must be a file name ending in .png (no folders), was '" + file + "'");
      }
      String x = column(where, field + ".x", text(where, field + ".x", plot.get("x")), columns);
      Metric y = Metric.FINAL;
      if (plot.hasNonNull("y")) {
        y = Metric.byName(text(where, field + ".y", plot.get("y")));
        if (y == null) {
          throw new GridException(where, field + ".y", "must be one of teacher, student, final, precision, was '"
              + plot.get("y").asText() + "'");
        }
      }
      int width = plot.has("width") ? pixels(where, field + ".width", plot.get("width")) : 800;
      int height = plot.has("height") ? pixels(where, field + ".height", plot.get("height")) : 500;
      for (Grid.PlotSpec earlier : plots) {
        if (earlier.file().equals(file)) {
          throw new GridException(where, field + ".file", "repeats the plot file '" + file + "'");
        }
      }
      plots.add(new Grid.PlotSpec(file, x, y, width, height));
    }
    return plots;
  }

  private static String column(String where, String field, String name, List<String> columns) throws GridException {
    String path = name.startsWith("spec.") ? name.substring("spec.".length()) : name;
    if (!columns.contains(path)) {
      throw new GridException(where, field, "must name an axis of this grid or 'variant' (one of " + columns
          + "), was '" + name + "'");
    }
    return path;
  }

  private static int pixels(String where, String field, JsonNode node) throws GridException {
    int value = positive(where, field, node);
    if (value < 100 || value > 4000) {
      throw new GridException(where, field, "must be between 100 and 4000 pixels, was " + value);
    }
    return value;
  }

  /** A path under spec, with or without its "spec." prefix; segments are field names. */
  private static String specPath(String where, String field, String path) throws GridException {
    String relative = path.startsWith("spec.") ? path.substring("spec.".length()) : path;
    if (!relative.matches("[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*")) {
      throw new GridException(where, field, "must be a spec path such as sampling.topK, was '" + path + "'");
    }
    if (relative.equals("teacher.checkpoint")) {
      throw new GridException(where, field, "is set by the experiment itself: points with the same teacher settings"
          + " share one teacher through it");
    }
    return relative;
  }

  private static String text(String where, String field, JsonNode node) throws GridException {
    if (node == null || node.isNull() || !node.isValueNode() || node.asText().isBlank()) {
      throw new GridException(where, field, "is required: a text");
    }
    return node.asText();
  }

  private static int positive(String where, String field, JsonNode node) throws GridException {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 1) {
      throw new GridException(where, field, "must be a whole number >= 1, was " + node);
    }
    return node.asInt();
  }

  private static void unknownKeys(String where, String prefix, JsonNode node, Set<String> known) throws GridException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        throw new GridException(where, prefix + key, "unknown field '" + key + "' (known: " + new java.util.TreeSet<>(known) + ")");
      }
    }
  }
}
