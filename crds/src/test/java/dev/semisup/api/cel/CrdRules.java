package dev.semisup.api.cel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.common.collect.ImmutableList;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The x-kubernetes-validations rules of a CRD, compiled, priced and run as the API server does:
 * {@code self} and {@code oldSelf} have the type the schema gives the rule's node (fields,
 * lists, maps, scalars; apiVersion, kind and metadata.name at the root), each rule's cost is
 * estimated from the sizes the schema allows (see {@link RuleCost}) and multiplied by how often
 * the rule can run in one object, and transition rules (those reading {@code oldSelf}) run on
 * updates only, where the value is there before and after.
 */
public final class CrdRules {

  /** The API server's limit on one rule's estimated cost (times how often it can run). */
  public static final long PER_RULE_BUDGET = 10_000_000L;
  /** The API server's limit on the estimated cost of all rules of a CRD together. */
  public static final long PER_CRD_BUDGET = 100_000_000L;

  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  /**
   * One rule where it sits: its path ("" the object, "spec.storage", "spec.resources.steps.*.cpu",
   * "x[]" a list's items), the type of self there, and how many values of that node one object can hold.
   */
  public record Rule(String path, String expression, String message, SchemaType self, long cardinality,
      CelAbstractSyntaxTree ast, RuleCost.Estimate estimate, CelRuntime.Program program) {

    public boolean transition() {
      return expression.contains("oldSelf");
    }

    /** What the API server compares with {@link #PER_RULE_BUDGET}: the rule's cost times its cardinality. */
    public long cost() {
      return CostEstimate.multiply(estimate.maxCost(), cardinality);
    }
  }

  private final SchemaType root;
  private final List<Rule> rules = new ArrayList<>();

  private CrdRules(JsonNode openApi) throws CelValidationException {
    Map<String, CelType> structs = new HashMap<>();
    root = SchemaType.root(openApi, structs);
    CelTypeProvider types = new CelTypeProvider() {
      @Override
      public ImmutableList<CelType> types() {
        return ImmutableList.copyOf(structs.values());
      }

      @Override
      public Optional<CelType> findType(String name) {
        return Optional.ofNullable(structs.get(name));
      }
    };
    collect("", root, 1, false, types);
  }

  /** The rules of the CRD file's first version. */
  public static CrdRules of(Path crd) throws IOException, CelValidationException {
    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(crd.toFile());
    return new CrdRules(tree.at("/spec/versions/0/schema/openAPIV3Schema"));
  }

  public List<Rule> rules() {
    return List.copyOf(rules);
  }

  /** The estimated cost of all rules, as the API server adds it up against {@link #PER_CRD_BUDGET}. */
  public long totalCost() {
    long total = 0;
    for (Rule rule : rules) {
      total = CostEstimate.add(total, rule.cost());
    }
    return total;
  }

  /**
   * Walks the schema the way the API server builds its validators: the cardinality of a node is
   * the product of the maxItems and maxProperties above it; under a list or map without one it is
   * unbounded, and the API server then takes the most values of the rule's node a request can hold.
   */
  private void collect(String path, SchemaType node, long cardinality, boolean unbounded, CelTypeProvider types)
      throws CelValidationException {
    JsonNode schema = node.schema();
    if (schema == null) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String expression = rule.path("rule").asText();
      CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .setTypeProvider(types)
          .addVar("self", node.celType())
          .addVar("oldSelf", node.celType())
          .build();
      CelAbstractSyntaxTree ast = compiler.compile(expression).getAst();
      long times = unbounded ? SchemaType.MAX_REQUEST_SIZE_BYTES / (node.minSerializedSize() + 1) : cardinality;
      try {
        rules.add(new Rule(path, expression, rule.path("message").asText(expression), node, times, ast,
            RuleCost.of(ast, node), RUNTIME.createProgram(ast)));
      } catch (CelEvaluationException e) {
        throw new IllegalStateException("rule at " + path + " cannot be planned: " + expression, e);
      }
    }
    for (Map.Entry<String, SchemaType> field : node.fields().entrySet()) {
      if (field.getValue().schema() != null) {
        collect(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), cardinality,
            unbounded, types);
      }
    }
    if (node.element() != null) {
      boolean bounded = schema.has("maxItems") || schema.has("maxProperties");
      String suffix = node.celType().kind() == CelKind.LIST ? "[]" : ".*";
      collect(path + suffix, node.element(), bounded ? CostEstimate.multiply(cardinality, node.maxElements()) : 1,
          unbounded || !bounded, types);
    }
  }

  /**
   * The messages of the rules that refuse the object: on create when {@code old} is null, else
   * on an update from {@code old}. Objects are the manifest's tree (as read from YAML).
   */
  public List<String> refusals(JsonNode object, JsonNode old) {
    List<String> refused = new ArrayList<>();
    check("", root, object, old, refused);
    return refused;
  }

  /**
   * The messages of the rules at one path (as {@link Rule#path()} names it) that refuse the value
   * there: on create when {@code old} is null, else on an update from {@code old}.
   */
  public List<String> refusalsAt(String path, JsonNode value, JsonNode old) {
    SchemaType node = root;
    if (!path.isEmpty()) {
      for (String step : path.replace("[]", ".[]").split("\\.")) {
        node = step.equals("[]") || step.equals("*") ? node.element() : node.fields().get(step);
        if (node == null) {
          throw new IllegalArgumentException("no schema at " + path);
        }
      }
    }
    List<String> refused = new ArrayList<>();
    evaluate(path, node, value, old, refused);
    return refused;
  }

  private void check(String path, SchemaType node, JsonNode value, JsonNode old, List<String> refused) {
    if (value == null || value.isMissingNode() || value.isNull() || node.schema() == null) {
      return;
    }
    evaluate(path, node, value, old, refused);
    for (Map.Entry<String, SchemaType> field : node.fields().entrySet()) {
      check(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), value.get(field.getKey()),
          old == null ? null : old.get(field.getKey()), refused);
    }
    if (node.element() != null && node.celType().kind() == CelKind.LIST) {
      for (JsonNode item : value) {
        check(path + "[]", node.element(), item, null, refused); // atomic lists: items are not correlated
      }
    } else if (node.element() != null) {
      for (var entry : (Iterable<Map.Entry<String, JsonNode>>) value::fields) {
        check(path + ".*", node.element(), entry.getValue(), old == null ? null : old.get(entry.getKey()), refused);
      }
    }
  }

  private void evaluate(String path, SchemaType node, JsonNode value, JsonNode old, List<String> refused) {
    for (Rule rule : rules) {
      if (!rule.path().equals(path)) {
        continue;
      }
      if (rule.transition() && (old == null || old.isMissingNode() || old.isNull())) {
        continue; // the API server runs transition rules on updates of values that were there before
      }
      Map<String, Object> variables = new HashMap<>();
      variables.put("self", celValue(node, value));
      if (rule.transition()) {
        variables.put("oldSelf", celValue(node, old));
      }
      Object result;
      try {
        result = rule.program().eval(variables);
      } catch (CelEvaluationException e) {
        result = e; // the API server reports a rule that fails to evaluate as a refusal
      }
      if (!Boolean.TRUE.equals(result)) {
        refused.add((path.isEmpty() ? "<root>" : path) + ": " + rule.message());
      }
    }
  }

  /** The value as CEL sees it: a schema "number" is a double even when written as 1, fields unknown to the schema are pruned. */
  static Object celValue(SchemaType node, JsonNode value) {
    CelType type = node.celType();
    switch (type.kind()) {
      case STRUCT: {
        Map<String, Object> fields = new LinkedHashMap<>();
        node.fields().forEach((name, field) -> {
          JsonNode child = value.get(name);
          if (child != null && !child.isNull()) {
            fields.put(name, celValue(field, child));
          }
        });
        return fields;
      }
      case MAP: {
        Map<String, Object> entries = new LinkedHashMap<>();
        value.fields().forEachRemaining(e -> entries.put(e.getKey(), celValue(node.element(), e.getValue())));
        return entries;
      }
      case LIST: {
        List<Object> items = new ArrayList<>();
        value.forEach(item -> items.add(celValue(node.element(), item)));
        return items;
      }
      default:
        if (type == SimpleType.STRING) {
          return value.asText();
        }
        if (type == SimpleType.INT) {
          return value.asLong();
        }
        if (type == SimpleType.DOUBLE) {
          return value.asDouble();
        }
        if (type == SimpleType.BOOL) {
          return value.asBoolean();
        }
        return dynamic(value);
    }
  }

  private static Object dynamic(JsonNode value) {
    if (value.isTextual()) {
      return value.asText();
    }
    if (value.isIntegralNumber()) {
      return value.asLong();
    }
    if (value.isNumber()) {
      return value.asDouble();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isArray()) {
      List<Object> items = new ArrayList<>();
      value.forEach(item -> items.add(dynamic(item)));
      return items;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    value.fields().forEachRemaining(e -> fields.put(e.getKey(), dynamic(e.getValue())));
    return fields;
  }
}
