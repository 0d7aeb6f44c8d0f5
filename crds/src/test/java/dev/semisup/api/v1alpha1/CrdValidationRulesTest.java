package dev.semisup.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.semisup.api.naming.RunName;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every {@code x-kubernetes-validations} rule of the generated CRD, compiled and evaluated with
 * Google's CEL for Java, as the API server would: the mock API server of the other tests evaluates
 * none. Each rule has accepted and refused examples here; a rule without them fails the test.
 */
class CrdValidationRulesTest {

  static final File CRD = new File("target/classes/META-INF/fabric8/semisupervisedruns.semisup.dev-v1.yml");
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      // has(), all(), exists(): the macros the API server's CEL has too.
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
  /** Rules by the schema path they sit on ("" is the object itself); several per path are and-ed. */
  private static final Map<String, List<String>> RULES = new LinkedHashMap<>();

  @BeforeAll
  static void readRules() throws Exception {
    JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(CRD);
    collect("", crd.at("/spec/versions/0/schema/openAPIV3Schema"));
    assertThat(RULES).as("rules in %s", CRD).isNotEmpty();
  }

  private static void collect(String path, JsonNode schema) {
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      RULES.computeIfAbsent(path, p -> new ArrayList<>()).add(rule.path("rule").asText());
    }
    for (Iterator<Map.Entry<String, JsonNode>> fields = schema.path("properties").fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      collect(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue());
    }
    if (schema.has("items")) {
      collect(path + "[]", schema.path("items"));
    }
  }

  /** Whether every rule at the path holds for the value (and the old value, for transition rules). */
  private static boolean allow(String path, Object value, Object old) throws Exception {
    List<String> rules = RULES.get(path);
    assertThat(rules).as("rules at %s", path).isNotNull();
    for (String rule : rules) {
      boolean transition = rule.contains("oldSelf");
      if (transition && old == null) {
        continue; // Kubernetes evaluates transition rules on updates only
      }
      CelAbstractSyntaxTree ast = COMPILER.compile(rule).getAst();
      Map<String, Object> vars = new HashMap<>();
      vars.put("self", value);
      if (transition) {
        vars.put("oldSelf", old);
      }
      Object result = RUNTIME.createProgram(ast).eval(vars);
      if (!Boolean.TRUE.equals(result)) {
        return false;
      }
    }
    return true;
  }

  private static boolean allow(String path, Object value) throws Exception {
    return allow(path, value, null);
  }

  private static Map<String, Object> named(String name) {
    return Map.of("metadata", Map.of("name", name, "namespace", "ml"), "spec", Map.of());
  }

  @Test
  void everyRuleCompilesAndHasExamplesHere() throws Exception {
    Set<String> covered = Set.of("", "spec.data", "spec.teacher", "spec.teacher.input", "spec.student", "spec.sampling",
        "spec.rounds",
        "spec.storage", "spec.storage.endpoint", "spec.storage.bucket", "spec.storage.prefix", "spec.resources.cpu",
        "spec.resources.memory");
    assertThat(new TreeSet<>(RULES.keySet())).as("a new rule needs examples in this test")
        .isEqualTo(new TreeSet<>(covered));
    for (List<String> rules : RULES.values()) {
      for (String rule : rules) {
        assertThat(COMPILER.compile(rule).getAst().isChecked()).as(rule).isTrue();
      }
    }
  }

  @Test
  void runNamesMustBeDnsLabelsThatFitJobAndLabelNames() throws Exception {
    for (String good : List.of("fmnist", "a", "run-2", "r".repeat(RunName.MAX_LENGTH), "0abc")) {
      assertThat(allow("", named(good))).as(good).isTrue();
    }
    for (String bad : List.of("fmnist.v2", "Fmnist", "-run", "run-", "r".repeat(RunName.MAX_LENGTH + 1), "run_2", "")) {
      assertThat(allow("", named(bad))).as(bad).isFalse();
    }
  }

  @Test
  void fixedSpecPartsCannotChangeAfterCreation() throws Exception {
    Map<String, Object> data = Map.of("classes", 10L, "labeled", Map.of("uri", "s3://data/a.gz", "format", "idx"));
    Map<String, Object> other = Map.of("classes", 10L, "labeled", Map.of("uri", "s3://data/b.gz", "format", "idx"));
    for (String part : List.of("spec.data", "spec.student", "spec.sampling", "spec.storage")) {
      assertThat(allow(part, data)).as("%s on create", part).isTrue();
      assertThat(allow(part, data, data)).as("%s unchanged", part).isTrue();
      assertThat(allow(part, other, data)).as("%s changed", part).isFalse();
    }
    // The teacher has rules of its own (see below): two valid teachers.
    Map<String, Object> teacher = Map.of("architecture", "cnn-large");
    Map<String, Object> otherTeacher = Map.of("architecture", "cnn-small");
    assertThat(allow("spec.teacher", teacher)).as("spec.teacher on create").isTrue();
    assertThat(allow("spec.teacher", teacher, teacher)).as("spec.teacher unchanged").isTrue();
    assertThat(allow("spec.teacher", otherTeacher, teacher)).as("spec.teacher changed").isFalse();
    assertThat(allow("spec.rounds", 2L, 2L)).isTrue();
    assertThat(allow("spec.rounds", 3L, 2L)).isFalse();
  }

  @Test
  void aTorchScriptTeacherNeedsItsFileAndInputAndNoArchitecture() throws Exception {
    Map<String, Object> input = Map.of("imageSize", 224L, "channels", 3L, "mean", List.of(0.485, 0.456, 0.406),
        "std", List.of(0.229, 0.224, 0.225));
    Map<String, Object> torchScript = Map.of("format", "torchscript", "checkpoint", "s3://models/r50.pt", "input", input);
    assertThat(allow("spec.teacher", torchScript)).isTrue();
    assertThat(allow("spec.teacher", Map.of("architecture", "cnn-large", "checkpoint", "s3://m/t.params"))).isTrue();
    assertThat(allow("spec.teacher", Map.of("architecture", "cnn-large", "format", "params"))).isTrue();
    for (Map<String, Object> bad : List.of(
        Map.<String, Object>of(),
        Map.<String, Object>of("format", "torchscript", "checkpoint", "s3://models/r50.pt"),
        Map.<String, Object>of("format", "torchscript", "input", input),
        Map.<String, Object>of("format", "torchscript", "checkpoint", "s3://m/r50.pt", "input", input,
            "architecture", "resnet50"),
        Map.<String, Object>of("architecture", "cnn-large", "input", input),
        Map.<String, Object>of("architecture", "cnn-large", "format", "params", "input", input))) {
      assertThat(allow("spec.teacher", bad)).as("%s", bad).isFalse();
    }
    assertThat(allow("spec.teacher.input", input)).isTrue();
    assertThat(allow("spec.teacher.input", Map.of("imageSize", 28L, "channels", 1L, "mean", List.of(0.3),
        "std", List.of(0.35)))).isTrue();
    assertThat(allow("spec.teacher.input", Map.of("imageSize", 224L, "channels", 3L, "mean", List.of(0.5),
        "std", List.of(0.2)))).as("one value for every channel").isTrue();
    assertThat(allow("spec.teacher.input", Map.of("imageSize", 224L, "channels", 3L, "mean", List.of(0.5, 0.5),
        "std", List.of(0.2)))).isFalse();
    assertThat(allow("spec.teacher.input", Map.of("imageSize", 28L, "channels", 1L, "mean", List.of(0.5),
        "std", List.of(0.2, 0.2, 0.2)))).isFalse();
  }

  @Test
  void storageEndpointBucketAndPrefixAreRefusedByTheApiServer() throws Exception {
    for (String good : List.of("http://minio.semisup:9000", "https://s3.eu-west-1.amazonaws.com", "http://10.0.0.5",
        "http://minio:9000/", "")) {
      assertThat(allow("spec.storage.endpoint", good)).as(good).isTrue();
    }
    for (String bad : List.of("minio:9000", "ftp://host", "http://user:pw@host", "http://host/path",
        "http://host:9000?x=1", "http://")) {
      assertThat(allow("spec.storage.endpoint", bad)).as(bad).isFalse();
    }
    for (String good : List.of("semisup", "ml-artifacts.eu", "abc")) {
      assertThat(allow("spec.storage.bucket", good)).as(good).isTrue();
    }
    for (String bad : List.of("ab", "Semisup", "semi_sup", "-semisup", "a..b", "b".repeat(64))) {
      assertThat(allow("spec.storage.bucket", bad)).as(bad).isFalse();
    }
    for (String good : List.of("runs/ml/fmnist", "runs/ml/exp-1/seed_3", "")) {
      assertThat(allow("spec.storage.prefix", good)).as(good).isTrue();
    }
    for (String bad : List.of("/runs/ml", "runs/../other", "runs//ml", "runs/ml?x", "runs/ml fm")) {
      assertThat(allow("spec.storage.prefix", bad)).as(bad).isFalse();
    }
  }

  @Test
  void everyExampleManifestPassesEveryRule() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    File[] examples = new File("../examples").listFiles((dir, name) -> name.endsWith(".yaml"));
    assertThat(examples).isNotEmpty();
    int checked = 0;
    for (File example : examples) {
      Object manifest = numbersAsLongs(yaml.readValue(example, Object.class));
      if (!(manifest instanceof Map<?, ?> map) || !"SemiSupervisedRun".equals(map.get("kind"))) {
        continue;
      }
      for (String path : RULES.keySet()) {
        Object value = at(manifest, path);
        if (value != null) {
          assertThat(allow(path, value, value)).as("%s at %s", example.getName(), path.isEmpty() ? "the run" : path)
              .isTrue();
          checked++;
        }
      }
    }
    assertThat(checked).isPositive();
  }

  private static Object at(Object node, String path) {
    if (path.isEmpty()) {
      return node;
    }
    for (String key : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(key);
    }
    return node;
  }

  /** YAML reads small integers as Integer; CEL's int is a long. */
  private static Object numbersAsLongs(Object node) {
    if (node instanceof Integer i) {
      return i.longValue();
    }
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), numbersAsLongs(v)));
      return out;
    }
    if (node instanceof List<?> list) {
      return list.stream().map(CrdValidationRulesTest::numbersAsLongs).toList();
    }
    return node;
  }

  @Test
  void cpuAndMemoryMustBeQuantities() throws Exception {
    for (String good : List.of("2", "1500m", "0.5", "4Gi", "512Mi", ".5")) {
      assertThat(allow("spec.resources.cpu", good)).as(good).isTrue();
      assertThat(allow("spec.resources.memory", good)).as(good).isTrue();
    }
    for (String bad : List.of("two", "4 GB", "4GB", "-1", "", "1.5.2")) {
      assertThat(allow("spec.resources.cpu", bad)).as(bad).isFalse();
      assertThat(allow("spec.resources.memory", bad)).as(bad).isFalse();
    }
  }
}
