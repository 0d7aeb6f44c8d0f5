package dev.semisup.worker.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.plan.StepInputs;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.validation.Problem;
import dev.semisup.api.validation.SpecValidator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Expands a grid into its runs: every variant (or none) x every combination of axis values x
 * every seed, each a manifest checked as {@code semisup run} checks one, so a bad value fails the
 * whole grid before anything runs, naming the grid file and the point.
 *
 * <p>Runs are named {@code <grid>-<hash of the spec>}: resuming finds a run by what it computes,
 * not by its position in the grid. Teachers are named {@code <grid>-teacher-<hash>} from the
 * hashes {@link StepInputs} gives the teacher step (the fields that shape the teacher and its
 * evaluation): points that agree on them share one teacher.
 */
public final class GridPoints {

  static final int HASH_CHARS = 10;

  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private GridPoints() {
  }

  public static List<GridPoint> expand(Grid grid) throws GridException {
    List<Grid.Variant> variants = grid.variants().isEmpty() ? java.util.Collections.singletonList(null) : grid.variants();
    List<GridPoint> points = new ArrayList<>();
    Map<List<String>, GridPoint> byLabel = new HashMap<>();
    Map<String, GridPoint> byRun = new HashMap<>();
    for (Grid.Variant variant : variants) {
      for (List<Grid.Value> combination : combinations(grid.axes())) {
        for (int seed : grid.seeds()) {
          GridPoint point = point(grid, points.size(), variant, combination, seed);
          refuseTwice(grid, point, byLabel, byRun);
          points.add(point);
        }
      }
    }
    return points;
  }

  /**
   * A row is one run at one seed: two points labelled alike (an axis value repeated by an
   * {@code also:} or a variant) or two seeds of one point that are the same run (a stride that
   * shifts no seed field) would each count one run twice in the summary.
   */
  private static void refuseTwice(Grid grid, GridPoint point, Map<List<String>, GridPoint> byLabel,
      Map<String, GridPoint> byRun) throws GridException {
    List<String> columns = grid.pointColumns();
    List<String> label = new ArrayList<>(point.values());
    label.add(Integer.toString(point.seed()));
    GridPoint twin = byLabel.putIfAbsent(label, point);
    if (twin != null) {
      throw new GridException(grid.file().toString(), "axes", "points " + (twin.index() + 1) + " and " + (point.index() + 1)
          + " of the grid (in its order) both run with " + point.describe(columns) + " (an also: or a variant sets an axis's"
          + " field): one run would be counted twice; list each value once, or set that field in one place");
    }
    String run = (point.supervised() ? "supervised " : "") + point.resultRun() + " " + point.values();
    GridPoint sameRun = byRun.putIfAbsent(run, point);
    if (sameRun != null) {
      throw new GridException(grid.file().toString(), "seeds", "seeds " + sameRun.seed() + " and " + point.seed()
          + " give the same run " + point.resultRun() + " (point " + sameRun.describe(columns) + "): the seed"
          + " stride shifts no seed field of the base that this run uses; set teacher.training.seed (and the other"
          + " seeds) in the base");
    }
  }

  private static GridPoint point(Grid grid, int index, Grid.Variant variant, List<Grid.Value> combination, int seed)
      throws GridException {
    ObjectNode tree = grid.base().deepCopy();
    ObjectNode spec = (ObjectNode) tree.get("spec");
    // Axes first, then the fields their values bring along, then the variant's: the last word is the variant's.
    for (int a = 0; a < grid.axes().size(); a++) {
      set(spec, grid.axes().get(a).path(), combination.get(a).value());
    }
    for (Grid.Value value : combination) {
      for (Map.Entry<String, JsonNode> field : value.also().entrySet()) {
        set(spec, field.getKey(), field.getValue());
      }
    }
    if (variant != null) {
      for (Map.Entry<String, JsonNode> field : variant.set().entrySet()) {
        set(spec, field.getKey(), field.getValue());
      }
    }
    // Each column shows the value the run uses, which an also: or the variant may have changed; a
    // field removed (a variant with all labels) keeps the axis's value: that run repeats along the
    // axis as a reference line.
    List<String> values = new ArrayList<>();
    if (variant != null) {
      values.add(variant.name());
    }
    for (int a = 0; a < grid.axes().size(); a++) {
      JsonNode used = get(spec, grid.axes().get(a).path());
      values.add(display(used.isNull() ? combination.get(a).value() : used));
    }
    shiftSeeds(grid, spec, (long) grid.seedStride() * (seed - 1), seed);
    String label = grid.file() + " (point " + describe(grid.pointColumns(), values, seed) + ")";
    SemiSupervisedRun run;
    SemiSupervisedRun teacher;
    try {
      run = Manifests.parse(tree.toString(), label);
      teacher = Manifests.parse(tree.toString(), label);
    } catch (ManifestException e) {
      throw new GridException(e.getMessage());
    }
    String runName = grid.name() + "-" + hash(run.getSpec());
    run.getMetadata().setName(runName);
    List<Problem> problems = SpecValidator.validate(run, SpecValidator.Target.LOCAL);
    if (!problems.isEmpty()) {
      throw new GridException(new ManifestException(label, problems).getMessage());
    }
    boolean supervised = variant != null && variant.supervised();
    if (!run.getSpec().getTeacher().hasCheckpoint()) {
      StagePlan plan = StagePlan.of(teacher.getSpec());
      PlannedStep step = plan.require(Stage.TEACHER.wireName());
      StepInputs inputs = plan.inputs(teacher.getSpec(), step);
      teacher.getMetadata().setName(grid.name() + "-teacher-" + hash(inputs.training() + "/" + inputs.evaluation()));
    } else if (!supervised) {
      teacher = null;
    } else {
      throw new GridException(grid.file().toString(), "variants." + variant.name() + ".supervised",
          "needs a teacher to train, but spec.teacher.checkpoint gives one already");
    }
    return new GridPoint(index, values, seed, supervised, run, runName, teacher);
  }

  static String describe(List<String> columns, List<String> values, int seed) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      text.append(columns.get(i)).append('=').append(values.get(i)).append(", ");
    }
    return text.append("seed=").append(seed).toString();
  }

  /** Sets a field under spec by its dotted path, creating the mappings on the way; null removes it. */
  static void set(ObjectNode spec, String path, JsonNode value) {
    String[] segments = path.split("\\.");
    ObjectNode node = spec;
    for (int i = 0; i < segments.length - 1; i++) {
      JsonNode child = node.get(segments[i]);
      if (!(child instanceof ObjectNode)) {
        // A scalar where a mapping is needed: replaced, and the manifest's check names the field.
        child = node.putObject(segments[i]);
      }
      node = (ObjectNode) child;
    }
    String last = segments[segments.length - 1];
    if (value == null || value.isNull()) {
      node.remove(last);
    } else {
      node.set(last, value.deepCopy());
    }
  }

  /** The value at a dotted path under spec; a missing field reads as null. */
  static JsonNode get(ObjectNode spec, String path) {
    JsonNode node = spec;
    for (String segment : path.split("\\.")) {
      node = node.path(segment);
    }
    return node.isMissingNode() ? NullNode.getInstance() : node;
  }

  /**
   * Every whole-number field named seed gets the shift, as bench/demo-gain.sh shifts every "seed: N"
   * line; in longs (the spec's seeds are), so a large stride cannot wrap two seeds onto one.
   */
  private static void shiftSeeds(Grid grid, JsonNode node, long shift, int seed) throws GridException {
    if (!(node instanceof ObjectNode object)) {
      if (node != null && node.isArray()) {
        for (JsonNode element : node) {
          shiftSeeds(grid, element, shift, seed);
        }
      }
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals("seed") && field.getValue().isIntegralNumber()) {
        if (!field.getValue().canConvertToLong()) {
          throw new GridException(grid.file().toString(), "base", "a seed field holds " + field.getValue()
              + ", more than a 64-bit whole number");
        }
        try {
          field.setValue(LongNode.valueOf(Math.addExact(field.getValue().asLong(), shift)));
        } catch (ArithmeticException overflow) {
          throw new GridException(grid.file().toString(), "seedStride", "seed " + seed + " shifts a seed field ("
              + field.getValue() + ") by " + grid.seedStride() + " x " + (seed - 1) + " past the largest 64-bit number");
        }
      } else {
        shiftSeeds(grid, field.getValue(), shift, seed);
      }
    }
  }

  private static String display(JsonNode value) {
    return value.isTextual() ? value.asText() : value.toString();
  }

  private static List<List<Grid.Value>> combinations(List<Grid.Axis> axes) {
    List<List<Grid.Value>> combinations = new ArrayList<>();
    combinations.add(List.of());
    for (Grid.Axis axis : axes) {
      List<List<Grid.Value>> longer = new ArrayList<>();
      for (List<Grid.Value> prefix : combinations) {
        for (Grid.Value value : axis.values()) {
          List<Grid.Value> next = new ArrayList<>(prefix);
          next.add(value);
          longer.add(next);
        }
      }
      combinations = longer;
    }
    return combinations;
  }

  private static String hash(Object value) {
    try {
      byte[] canonical = value instanceof String text ? text.getBytes(StandardCharsets.UTF_8)
          : CANONICAL.writeValueAsBytes(value);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical)).substring(0, HASH_CHARS);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash a grid point's spec", e);
    }
  }
}
