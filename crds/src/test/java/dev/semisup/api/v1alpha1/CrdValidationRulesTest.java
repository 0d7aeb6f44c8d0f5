package dev.semisup.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.SimpleType;
import dev.semisup.api.cel.CrdRules;
import dev.semisup.api.naming.RunName;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every {@code x-kubernetes-validations} rule of the committed CRD, compiled, priced and evaluated
 * as the API server does ({@link CrdRules}): {@code self} typed from the schema, every rule's
 * estimated cost within the API server's budgets, transition rules only on updates. The mock API
 * server of the other tests evaluates none. Each rule has accepted and refused examples here; a
 * rule without them fails the test.
 */
class CrdValidationRulesTest {

  static final Path CRD = Path.of("semisupervisedruns.semisup.dev-v1.yml");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static CrdRules rules;

  @BeforeAll
  static void readRules() throws Exception {
    rules = CrdRules.of(CRD);
    assertThat(rules.rules()).as("rules in %s", CRD).isNotEmpty();
  }

  /** Whether every rule at the path holds for the value (and the old value: an update, which runs transition rules too). */
  private static boolean allow(String path, Object value, Object old) {
    assertThat(rules.rules()).as("rules at %s", path).anyMatch(r -> r.path().equals(path));
    return rules.refusalsAt(path, JSON.valueToTree(value), old == null ? null : JSON.valueToTree(old)).isEmpty();
  }

  private static boolean allow(String path, Object value) {
    return allow(path, value, null);
  }

  private static Map<String, Object> named(String name) {
    return Map.of("metadata", Map.of("name", name, "namespace", "ml"), "spec", Map.of());
  }

  @Test
  void everyRuleCompilesWithSelfTypedByTheSchemaAndHasExamplesHere() {
    Set<String> covered = Set.of("", "spec", "spec.data", "spec.data.channels", "spec.teacher", "spec.teacher.input",
        "spec.teacher.input.channels", "spec.student",
        "spec.sampling", "spec.rounds", "spec.storage", "spec.storage.endpoint", "spec.storage.bucket",
        "spec.storage.prefix", "spec.resources.cpu", "spec.resources.memory", "spec.resources.steps.*.cpu",
        "spec.resources.steps.*.memory");
    Set<String> paths = rules.rules().stream().map(CrdRules.Rule::path).collect(Collectors.toCollection(TreeSet::new));
    assertThat(paths).as("a new rule needs examples in this test").isEqualTo(new TreeSet<>(covered));
    for (CrdRules.Rule rule : rules.rules()) {
      assertThat(rule.ast().isChecked()).as(rule.expression()).isTrue();
      assertThat(rule.ast().getResultType()).as("result of %s", rule.expression()).isEqualTo(SimpleType.BOOL);
      assertThat(rule.self().celType().kind()).as("type of self at %s", rule.path()).isNotEqualTo(CelKind.DYN);
    }
  }

  /** A typed self finds what a dynamic one hides until a value reaches the rule: a field that is not there. */
  @Test
  void aRuleReadingAFieldTheSchemaLacksDoesNotCompile() {
    assertThatThrownBy(() -> CrdRules.of(crdWithRule("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}}",
        "self.b == 'x'"))).hasMessageContaining("undefined field 'b'");
    assertThatThrownBy(() -> CrdRules.of(crdWithRule("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}}",
        "self.a == 1"))).hasMessageContaining("found no matching overload");
  }

  /**
   * Every rule's estimated cost, times how often it can run in one object, within the API server's
   * 10M per rule, and all together within its 100M per CRD.
   */
  @Test
  void everyRuleCostsLessThanTheApiServersBudgets() {
    for (CrdRules.Rule rule : rules.rules()) {
      assertThat(rule.cost()).as("estimated cost of %s at %s", rule.expression(), rule.path())
          .isLessThanOrEqualTo(CrdRules.PER_RULE_BUDGET);
    }
    assertThat(rules.totalCost()).as("estimated cost of all rules").isLessThanOrEqualTo(CrdRules.PER_CRD_BUDGET);
  }

  /**
   * The strings, lists and maps the rules read are bounded by the schema (maxLength, maxItems,
   * maxProperties, an enum), so the API server's estimate of them is not the whole request:
   * only metadata.name, which a CRD's schema cannot bound, is left.
   */
  @Test
  void rulesReadOnlyValuesTheSchemaBounds() {
    Set<String> unbounded = new TreeSet<>();
    rules.rules().forEach(rule -> rule.estimate().unboundedReads()
        .forEach(read -> unbounded.add(rule.path().isEmpty() || read.isEmpty() ? rule.path() + read
            : rule.path() + "." + read)));
    assertThat(unbounded).containsExactly("metadata.name");
  }

  /**
   * The estimate is the API server's: cel-go's cost of a regex on an unbounded string (3 MiB less
   * the quotes, rounded up at each step) and on one of maxLength 32 (4 bytes a character), and the
   * cardinality of a rule under a list without maxItems.
   */
  @Test
  void theCostEstimateFollowsTheApiServersArithmetic() throws Exception {
    String regex = "^([0-9]+([.][0-9]*)?|[.][0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";
    String rule = "self.matches('" + regex + "')";
    long regexCost = (long) Math.ceil(regex.length() * 0.25);
    CrdRules.Rule unbounded = CrdRules.of(crdWithRule("{\"type\": \"string\"}", rule)).rules().get(0);
    assertThat(unbounded.estimate().maxCost()).isEqualTo((long) Math.ceil((3L * 1024 * 1024 - 2 + 1) * 0.1) * regexCost + 1)
        .isBetween(5_300_000L, 5_400_000L);
    CrdRules.Rule bounded = CrdRules.of(crdWithRule("{\"type\": \"string\", \"maxLength\": 32}", rule)).rules().get(0);
    assertThat(bounded.estimate().maxCost()).isEqualTo((long) Math.ceil((4 * 32 + 1) * 0.1) * regexCost + 1);
    CrdRules list = CrdRules.of(crdWithRule("{\"type\": \"array\", \"items\": {\"type\": \"string\", \"maxLength\": 32,"
        + " \"x-kubernetes-validations\": [{\"rule\": \"" + rule.replace("\\", "\\\\") + "\"}]}}", "size(self) >= 0"));
    CrdRules.Rule item = list.rules().stream().filter(r -> r.path().endsWith("[]")).findFirst().orElseThrow();
    assertThat(item.cardinality()).as("strings in a list without maxItems: 3 MiB / (2 + 1)").isEqualTo(3L * 1024 * 1024 / 3);
    assertThat(item.cost()).isEqualTo(item.estimate().maxCost() * item.cardinality()).isGreaterThan(CrdRules.PER_RULE_BUDGET);
  }

  private static Path crdWithRule(String schema, String rule) throws Exception {
    ObjectNode property = (ObjectNode) JSON.readTree(schema);
    property.putArray("x-kubernetes-validations").addObject().put("rule", rule);
    ObjectNode crd = JSON.createObjectNode();
    ObjectNode openApi = crd.putObject("spec").putArray("versions").addObject().putObject("schema")
        .putObject("openAPIV3Schema");
    openApi.put("type", "object").putObject("properties").set("x", property);
    Path file = Files.createTempFile("crd", ".yml");
    file.toFile().deleteOnExit();
    Files.writeString(file, JSON.writeValueAsString(crd));
    return file;
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
    Map<String, Map<String, Object>> before = Map.of(
        "spec.data", Map.of("classes", 10, "labeled", Map.of("uri", "s3://data/a.gz", "format", "idx")),
        "spec.student", Map.of("architecture", "cnn-small"),
        "spec.sampling", Map.of("topK", 100, "shards", 2),
        "spec.storage", Map.of("bucket", "semisup", "endpoint", "http://minio:9000"));
    Map<String, Map<String, Object>> after = Map.of(
        "spec.data", Map.of("classes", 10, "labeled", Map.of("uri", "s3://data/b.gz", "format", "idx")),
        "spec.student", Map.of("architecture", "cnn-large"),
        "spec.sampling", Map.of("topK", 100, "shards", 4),
        "spec.storage", Map.of("bucket", "other", "endpoint", "http://minio:9000"));
    for (String part : before.keySet()) {
      assertThat(allow(part, before.get(part))).as("%s on create", part).isTrue();
      assertThat(allow(part, before.get(part), before.get(part))).as("%s unchanged", part).isTrue();
      assertThat(allow(part, after.get(part), before.get(part))).as("%s changed", part).isFalse();
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

  /**
   * {@code self == oldSelf} on an optional field runs only when the field is there before and after
   * the edit: the rule on the spec refuses adding or removing one, while the parts that may change
   * (resources, suspend) still can.
   */
  @Test
  void optionalFixedPartsCannotBeAddedOrRemoved() throws Exception {
    Map<String, Object> bare = spec(Map.of());
    for (var part : List.of(Map.<String, Object>of("rounds", 2), Map.<String, Object>of("sampling", Map.of("topK", 50)),
        Map.<String, Object>of("storage", Map.of("bucket", "semisup")))) {
      Map<String, Object> with = spec(part);
      assertThat(allow("spec", with)).as("created with %s", part).isTrue();
      assertThat(allow("spec", with, bare)).as("%s added", part).isFalse();
      assertThat(allow("spec", bare, with)).as("%s removed", part).isFalse();
      assertThat(allow("spec", with, with)).as("%s kept", part).isTrue();
    }
    Map<String, Object> suspended = spec(Map.of("suspend", true, "resources", Map.of("cpu", "4")));
    assertThat(allow("spec", suspended, bare)).as("resources and suspend may change").isTrue();
  }

  private static Map<String, Object> spec(Map<String, Object> extra) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("data", Map.of("classes", 10));
    spec.put("teacher", Map.of("architecture", "cnn-large"));
    spec.put("student", Map.of("architecture", "cnn-small"));
    spec.putAll(extra);
    return spec;
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

  /** The API server says what SpecValidator says: 1 or 3 channels, not the range 1..3. */
  @Test
  void channelsAreOneOrThreeForTheDataAndATorchScriptTeachersInput() throws Exception {
    for (String path : List.of("spec.data.channels", "spec.teacher.input.channels")) {
      assertThat(allow(path, 1L)).as(path).isTrue();
      assertThat(allow(path, 3L)).as(path).isTrue();
      assertThat(allow(path, 2L)).as(path).isFalse();
      assertThat(allow(path, 0L)).as(path).isFalse();
    }
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

  /** Every example, created and updated unchanged, passes every rule; a changed fixed part is refused. */
  @Test
  void everyExampleManifestPassesEveryRule() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    File[] examples = new File("../examples").listFiles((dir, name) -> name.endsWith(".yaml"));
    assertThat(examples).isNotEmpty();
    int checked = 0;
    for (File example : examples) {
      JsonNode manifest = yaml.readTree(example);
      if (!"SemiSupervisedRun".equals(manifest.path("kind").asText())) {
        continue;
      }
      assertThat(rules.refusals(manifest, null)).as("%s created", example.getName()).isEmpty();
      assertThat(rules.refusals(manifest, manifest)).as("%s updated unchanged", example.getName()).isEmpty();
      ObjectNode edited = manifest.deepCopy();
      ((ObjectNode) edited.at("/spec/student")).put("architecture", "changed");
      assertThat(rules.refusals(edited, manifest)).as("%s with another student", example.getName())
          .containsExactly("spec.student: student cannot change after the run started");
      checked++;
    }
    assertThat(checked).isPositive();
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
    // A step's own values too (spec.resources.steps.<stage>).
    for (String good : List.of("8", "500m", "24Gi")) {
      assertThat(allow("spec.resources.steps.*.cpu", good)).as(good).isTrue();
      assertThat(allow("spec.resources.steps.*.memory", good)).as(good).isTrue();
    }
    for (String bad : List.of("eight", "24 GB", "")) {
      assertThat(allow("spec.resources.steps.*.cpu", bad)).as(bad).isFalse();
      assertThat(allow("spec.resources.steps.*.memory", bad)).as(bad).isFalse();
    }
  }
}
