package dev.semisup.api.reference;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * docs/crd-reference.md, written from the CRD the crd-generator makes of the Java types (each
 * field's type, description, bounds and CEL rules) and from the types themselves (a field's
 * default is its value in a new object). One row per field, so the page cannot say what the
 * schema does not.
 */
public final class CrdReference {

  /** The page, relative to the root of the repository. */
  public static final String PAGE = "docs/crd-reference.md";

  /** Run from the root of the repository: the test rewrites the page instead of comparing it. */
  public static final String REGENERATE = "mvn -q -o -pl crds -am test -Dtest=CrdReferenceTest"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Dsemisup.regenerate=true";

  private static final String CRD = "/META-INF/fabric8/semisupervisedruns.semisup.dev-v1.yml";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One documented field. */
  record Row(String path, String type, String defaultValue, String limits, String description) {
  }

  private CrdReference() {
  }

  /** The page for the CRD on the classpath (generated at process-classes). */
  public static String render() throws IOException {
    JsonNode crd;
    try (InputStream in = CrdReference.class.getResourceAsStream(CRD)) {
      if (in == null) {
        throw new IOException("no " + CRD + " on the classpath: the crd-generator plugin has not run");
      }
      crd = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    JsonNode version = crd.at("/spec/versions/0");
    JsonNode schema = version.at("/schema/openAPIV3Schema");
    JavaType run = JSON.constructType(SemiSupervisedRun.class);
    StringBuilder page = new StringBuilder();
    page.append("# SemiSupervisedRun reference (").append(crd.at("/spec/group").asText()).append('/')
        .append(version.path("name").asText()).append(")\n\n")
        .append("<!-- Generated from the crds types; do not edit. Regenerate from the root of the repository with:\n")
        .append("     ").append(REGENERATE).append(" -->\n\n")
        .append("Every field of a run, as the API server checks it: its type, its default (the value a field left\n")
        .append("out takes; a default that depends on other fields is in the description), its limits (bounds,\n")
        .append("patterns and the CEL rules of the CRD) and what it means. `SpecValidator` checks the same limits\n")
        .append("again, and a few more that span fields, naming the field by the path in the first column. How a\n")
        .append("run is installed, watched and retried: [cluster.md](cluster.md).\n");
    for (String part : List.of("spec", "status")) {
      page.append("\n## ").append(part).append("\n\n")
          .append("| Field | Type | Default | Limits | Description |\n")
          .append("|---|---|---|---|---|\n");
      List<Row> rows = new ArrayList<>();
      JsonNode node = schema.path("properties").path(part);
      collect(part, node, javaTypeOf(run, part), false, JSON.missingNode(), rows);
      for (Row row : rows) {
        page.append("| `").append(row.path()).append("` | ").append(cell(row.type())).append(" | ")
            .append(row.defaultValue().isEmpty() ? "" : "`" + row.defaultValue() + "`").append(" | ")
            .append(cell(row.limits())).append(" | ").append(cell(row.description())).append(" |\n");
      }
    }
    return page.toString();
  }

  /** The field's row, then its fields' (or its items' or map values' fields'), in schema order. */
  private static void collect(String path, JsonNode node, JavaType type, boolean required, JsonNode defaultValue,
      List<Row> rows) {
    String kubernetesType = kubernetesTypeOf(type);
    rows.add(new Row(path, kubernetesType != null ? kubernetesType : typeOf(node), plain(defaultValue),
        limitsOf(node, required), node.path("description").asText()));
    if (kubernetesType != null) {
      return; // Kubernetes' own types are documented by Kubernetes
    }
    if (node.has("properties")) {
      collectFields(path, node, type, defaultValue.isObject() ? defaultValue : newInstance(type), rows);
    } else if (node.path("items").has("properties")) {
      JavaType element = type == null ? null : type.getContentType();
      collectFields(path + "[]", node.path("items"), element, newInstance(element), rows);
    } else if (node.path("additionalProperties").has("properties")) {
      JavaType value = type == null ? null : type.getContentType();
      collectFields(path + ".<name>", node.path("additionalProperties"), value, newInstance(value), rows);
    }
  }

  private static void collectFields(String path, JsonNode node, JavaType type, JsonNode defaults, List<Row> rows) {
    List<String> requiredFields = new ArrayList<>();
    node.path("required").forEach(name -> requiredFields.add(name.asText()));
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.path("properties").fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      collect(path + "." + field.getKey(), field.getValue(), javaTypeOf(type, field.getKey()),
          requiredFields.contains(field.getKey()), defaults.path(field.getKey()), rows);
    }
  }

  /** "array of Kubernetes Toleration" for a field of Kubernetes' own type, else null. */
  private static String kubernetesTypeOf(JavaType type) {
    if (type == null) {
      return null;
    }
    JavaType element = type.isContainerType() ? type.getContentType() : type;
    if (element == null || !element.getRawClass().getName().startsWith("io.fabric8.kubernetes.api.model.")) {
      return null;
    }
    String name = "Kubernetes " + element.getRawClass().getSimpleName();
    return type.isCollectionLikeType() ? "array of " + name : type.isMapLikeType() ? "map of " + name : name;
  }

  private static String typeOf(JsonNode node) {
    String type = node.path("type").asText("");
    if (node.path("x-kubernetes-int-or-string").asBoolean()) {
      return "integer or string";
    }
    if (type.equals("array")) {
      return "array of " + typeOf(node.path("items"));
    }
    if (type.equals("object") && node.has("additionalProperties")) {
      return "map of " + typeOf(node.path("additionalProperties"));
    }
    return type.isEmpty() ? "any" : type;
  }

  private static String limitsOf(JsonNode node, boolean required) {
    List<String> limits = new ArrayList<>();
    if (required) {
      limits.add("required");
    }
    boolean integer = node.path("type").asText().equals("integer");
    String min = node.has("minimum") ? number(node.path("minimum"), integer) : null;
    String max = node.has("maximum") ? number(node.path("maximum"), integer) : null;
    if (min != null && max != null) {
      limits.add(min + ".." + max);
    } else if (min != null) {
      limits.add(">= " + min);
    } else if (max != null) {
      limits.add("<= " + max);
    }
    if (node.has("enum")) {
      List<String> values = new ArrayList<>();
      node.path("enum").forEach(value -> values.add("`" + value.asText() + "`"));
      limits.add("one of " + String.join(", ", values));
    }
    if (node.has("minItems") || node.has("maxItems")) {
      limits.add(node.path("minItems").asText("0") + ".." + node.path("maxItems").asText("") + " items");
    }
    if (node.has("maxLength")) {
      limits.add("at most " + node.path("maxLength").asText() + " characters");
    }
    if (node.has("pattern")) {
      limits.add("matches `" + node.path("pattern").asText() + "`");
    }
    node.path("x-kubernetes-validations").forEach(rule -> limits.add("rule: " + rule.path("message").asText()));
    return String.join("; ", limits);
  }

  private static String number(JsonNode value, boolean integer) {
    double number = value.asDouble();
    return integer || number == Math.rint(number) && !Double.isInfinite(number) && Math.abs(number) < 1e15
        ? Long.toString((long) number) : value.asText();
  }

  /** A new object of the type as JSON: its fields' initial values are the defaults the spec types give. */
  private static JsonNode newInstance(JavaType type) {
    if (type == null || !instantiable(type.getRawClass())) {
      return JSON.missingNode();
    }
    try {
      var constructor = type.getRawClass().getDeclaredConstructor();
      return JSON.valueToTree(constructor.newInstance());
    } catch (ReflectiveOperationException e) {
      return JSON.missingNode();
    }
  }

  /** A default worth a column: a number, a string, a boolean, or a list of them; not a whole object. */
  private static String plain(JsonNode value) {
    if (value.isFloatingPointNumber()) {
      // 0.0005, not Java's 5.0E-4: written as a manifest would write it
      String plain = BigDecimal.valueOf(value.asDouble()).stripTrailingZeros().toPlainString();
      return plain.contains(".") ? plain : plain + ".0";
    }
    if (value.isValueNode() && !value.isNull()) {
      return value.isTextual() ? value.asText() : value.toString();
    }
    if (value.isArray() && !value.isEmpty()) {
      boolean scalars = true;
      for (JsonNode item : value) {
        scalars &= item.isValueNode();
      }
      return scalars ? value.toString() : "";
    }
    return "";
  }

  private static JavaType javaTypeOf(JavaType parent, String property) {
    if (parent == null) {
      return null;
    }
    BeanDescription bean = JSON.getSerializationConfig().introspect(parent);
    for (BeanPropertyDefinition definition : bean.findProperties()) {
      if (definition.getName().equals(property)) {
        return definition.getPrimaryType();
      }
    }
    return null;
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  private static boolean instantiable(Class<?> type) {
    return !type.isInterface() && !Modifier.isAbstract(type.getModifiers()) && !type.isEnum()
        && !type.getName().startsWith("java.");
  }
}
