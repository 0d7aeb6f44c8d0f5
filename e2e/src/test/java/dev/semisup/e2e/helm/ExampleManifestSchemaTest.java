package dev.semisup.e2e.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import dev.semisup.api.cel.CrdRules;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.SpecValidator;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every run manifest users copy (examples/, e2e/kind/, docs/) passes the CRD's openAPIV3Schema
 * and its CEL rules, as the API server checks them on kubectl apply (created, and updated: edits of
 * the parts fixed at start are refused); a wrong type, a missing required field, a value out of
 * range and an unknown field are each refused by the schema.
 */
class ExampleManifestSchemaTest {

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final Path KIND_SCRIPT = Repo.root().resolve("e2e/kind/run.sh");
  private static final Path KIND_RUN = Repo.root().resolve("e2e/kind/tiny-run.yaml");
  private static final Path KIND_VARIANTS = Repo.root().resolve("e2e/kind/variants");
  private static JsonSchema schema;
  private static CrdRules celRules;

  @BeforeAll
  static void loadSchema() throws Exception {
    JsonNode crd = YAML.readTree(Repo.chartCrd().toFile());
    JsonNode openApi = crd.at("/spec/versions/0/schema/openAPIV3Schema");
    assertThat(openApi.isObject()).as("openAPIV3Schema of the CRD").isTrue();
    ObjectNode root = (ObjectNode) toJsonSchema(openApi.deepCopy());
    // The API server adds these to every schema; the generated one leaves them out.
    ObjectNode properties = (ObjectNode) root.get("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties.putObject("metadata").put("type", "object");
    schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(root);
    celRules = CrdRules.of(Repo.chartCrd());
  }

  /**
   * Kubernetes' structural schema as draft 7: x-kubernetes-int-or-string becomes integer or
   * string, nullable adds null, x-kubernetes-* keywords go (the CEL rules are checked by
   * {@link CrdRules}), and objects with properties refuse
   * unknown fields as kubectl's default strict field validation does.
   */
  static JsonNode toJsonSchema(ObjectNode node) {
    boolean preserveUnknown = node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (node.path("x-kubernetes-int-or-string").asBoolean(false)) {
      ArrayNode anyOf = node.putArray("anyOf");
      anyOf.addObject().put("type", "integer");
      anyOf.addObject().put("type", "string");
    }
    if (node.path("nullable").asBoolean(false) && node.has("type")) {
      ArrayNode types = JsonNodeFactory.instance.arrayNode().add(node.get("type").asText()).add("null");
      node.set("type", types);
    }
    List<String> drop = new ArrayList<>();
    node.fieldNames().forEachRemaining(name -> {
      if (name.startsWith("x-kubernetes-") || name.equals("nullable")) {
        drop.add(name);
      }
    });
    node.remove(drop);
    if (node.has("properties") && !node.has("additionalProperties") && !preserveUnknown) {
      node.put("additionalProperties", false);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals("properties")) {
        field.getValue().fields().forEachRemaining(p -> toJsonSchema((ObjectNode) p.getValue()));
      } else if (field.getValue().isObject()
          && Set.of("items", "additionalProperties", "not").contains(field.getKey())) {
        toJsonSchema((ObjectNode) field.getValue());
      } else if (field.getValue().isArray() && Set.of("anyOf", "allOf", "oneOf").contains(field.getKey())) {
        field.getValue().forEach(n -> toJsonSchema((ObjectNode) n));
      }
    }
    return node;
  }

  static Stream<Path> manifests() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String folder : List.of("examples", "e2e/kind")) {
      Path dir = Repo.root().resolve(folder);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> list = Files.list(dir)) {
          list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted()
              .forEach(files::add);
        }
      }
    }
    return files.stream();
  }

  @Test
  void thereAreExamples() throws IOException {
    assertThat(manifests().map(p -> Repo.root().relativize(p).toString()))
        .contains("examples/imagenet-style.yaml", "e2e/kind/tiny-run.yaml");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifests")
  void manifestPassesTheCrdSchema(Path file) throws IOException {
    List<JsonNode> runs = runsIn(file);
    assertThat(runs).as("SemiSupervisedRuns in %s", file).isNotEmpty();
    for (JsonNode run : runs) {
      assertThat(run.path("apiVersion").asText()).isEqualTo("semisup.dev/v1alpha1");
      assertThat(run.at("/metadata/name").asText()).matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
      assertThat(errors(run)).as("schema errors of %s in %s", run.at("/metadata/name").asText(), file)
          .isEmpty();
      assertAcceptedByTheCelRules(run, file.toString());
    }
  }

  /** Created, and updated unchanged: every CEL rule of the CRD holds (transition rules run on the update). */
  private static void assertAcceptedByTheCelRules(JsonNode run, String where) {
    assertThat(celRules.refusals(run, null)).as("CEL rules refusing %s on create", where).isEmpty();
    assertThat(celRules.refusals(run, run)).as("CEL rules refusing %s on an unchanged update", where).isEmpty();
  }

  /**
   * What docs/cluster.md promises for a running run's edits, on every manifest: a part fixed at
   * start cannot change, an optional one cannot be added or removed, resources and suspend can change.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("manifests")
  void fixedPartsOfTheManifestCannotBeEdited(Path file) throws IOException {
    for (JsonNode run : runsIn(file)) {
      ObjectNode data = run.deepCopy();
      ((ObjectNode) data.at("/spec/data")).put("classes", run.at("/spec/data/classes").asInt() + 1);
      assertThat(celRules.refusals(data, run)).as("data edited in %s", file)
          .containsExactly("spec.data: data cannot change after the run started");
      ObjectNode rounds = run.deepCopy();
      if (run.at("/spec").has("rounds")) {
        ((ObjectNode) rounds.get("spec")).remove("rounds");
      } else {
        ((ObjectNode) rounds.get("spec")).put("rounds", 2);
      }
      assertThat(celRules.refusals(rounds, run)).as("rounds added or removed in %s", file)
          .containsExactly("spec: storage, sampling and rounds cannot be added or removed after the run started");
      ObjectNode resources = run.deepCopy();
      ((ObjectNode) resources.get("spec")).put("suspend", true).putObject("resources").put("cpu", "3");
      assertThat(celRules.refusals(resources, run)).as("resources and suspend edited in %s", file).isEmpty();
    }
  }

  /** Run manifests shown in docs/*.md (```yaml blocks with kind: SemiSupervisedRun). */
  @Test
  void manifestsInTheDocsPassTheCrdSchema() throws IOException {
    Path docs = Repo.root().resolve("docs");
    assertThat(docs).isDirectory();
    int checked = 0;
    try (Stream<Path> files = Files.list(docs)) {
      for (Path doc : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        for (String block : Files.readString(doc).split("```yaml\n")) {
          int end = block.indexOf("```");
          if (end < 0 || !block.substring(0, end).contains("kind: SemiSupervisedRun")) {
            continue;
          }
          JsonNode run = YAML.readTree(block.substring(0, end));
          assertThat(errors(run)).as("schema errors of a manifest in %s", doc).isEmpty();
          assertAcceptedByTheCelRules(run, doc.toString());
          assertThat(SpecValidator.validate(Manifests.json().treeToValue(run.get("spec"), SemiSupervisedRunSpec.class),
              SpecValidator.Target.CLUSTER)).as("problems of the manifest in %s", doc).isEmpty();
          checked++;
        }
      }
    }
    assertThat(checked).as("manifests in docs/cluster.md").isPositive();
  }

  /**
   * Beyond the schema: the checks the worker and operator make (SpecValidator), for a cluster
   * when the manifest names an S3 endpoint, else for local mode.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("manifests")
  void manifestPassesTheSpecValidator(Path file) throws IOException {
    for (JsonNode run : runsIn(file)) {
      SemiSupervisedRunSpec spec = Manifests.json().treeToValue(run.get("spec"), SemiSupervisedRunSpec.class);
      boolean cluster = !run.at("/spec/storage/endpoint").asText("").isBlank();
      assertThat(SpecValidator.validate(spec, cluster ? SpecValidator.Target.CLUSTER : SpecValidator.Target.LOCAL))
          .as("problems of %s (%s)", file, cluster ? "cluster" : "local").isEmpty();
    }
  }

  /** The variants e2e/kind/run.sh applies ({@code variant <name>} lines), in the order it applies them. */
  static Stream<String> kindVariants() throws IOException {
    List<String> names = new ArrayList<>();
    Matcher call = Pattern.compile("(?m)^variant ([a-z0-9-]+)$").matcher(Files.readString(KIND_SCRIPT));
    while (call.find()) {
      names.add(call.group(1));
    }
    return names.stream();
  }

  /** What the script's {@code variant} function makes: the variant's sed script run on tiny-run.yaml. */
  static JsonNode kindVariant(String name) throws IOException, InterruptedException {
    Process sed = new ProcessBuilder("sed", "-f", KIND_VARIANTS.resolve(name + ".sed").toString(),
        KIND_RUN.toString()).redirectErrorStream(true).start();
    String manifest = new String(sed.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(sed.waitFor()).as("sed -f variants/%s.sed tiny-run.yaml: %s", name, manifest).isZero();
    return YAML.readTree(manifest);
  }

  @Test
  void theKindScriptAppliesOnlyTinyRunAndItsVariants() throws IOException {
    String script = Files.readString(KIND_SCRIPT);
    Matcher apply = Pattern.compile("k apply -f (\\S+)").matcher(script);
    Set<String> applied = new TreeSet<>();
    while (apply.find()) {
      applied.add(apply.group(1));
    }
    // tiny-run.yaml itself (checked by the tests above, as every e2e/kind manifest) and the variant's file.
    assertThat(applied).containsExactly("\"$file\"", "\"$repo/e2e/kind/tiny-run.yaml\"");
    assertThat(script).contains("sed -f \"$repo/e2e/kind/variants/$1.sed\" \"$repo/e2e/kind/tiny-run.yaml\" > \"$file\"");
    try (Stream<Path> files = Files.list(KIND_VARIANTS)) {
      assertThat(files.map(p -> p.getFileName().toString().replaceFirst("\\.sed$", "")).sorted())
          .as("a sed script in %s for each variant run.sh applies, and no other", KIND_VARIANTS)
          .containsExactlyElementsOf(kindVariants().sorted().toList());
    }
  }

  /**
   * A variant must reach the fault it is made for: the API server has to accept it and the
   * operator has to start it (a spec problem would fail it as InvalidSpec, and the script would
   * wait for a condition that never comes).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("kindVariants")
  void everyKindVariantPassesTheCrdSchemaItsRulesAndTheSpecValidator(String name) throws Exception {
    JsonNode run = kindVariant(name);
    assertThat(run.at("/metadata/name").asText()).isEqualTo(name);
    assertThat(errors(run)).as("schema errors of variant %s", name).isEmpty();
    assertAcceptedByTheCelRules(run, "variant " + name);
    SemiSupervisedRunSpec spec = Manifests.json().treeToValue(run.get("spec"), SemiSupervisedRunSpec.class);
    assertThat(SpecValidator.validate(spec, SpecValidator.Target.CLUSTER)).as("problems of variant %s", name)
        .isEmpty();
  }

  @Test
  void theBaseOfTheNegativeCasesIsValid() throws IOException {
    assertThat(errors(valid())).isEmpty();
  }

  @Test
  void wrongTypeIsRefused() throws IOException {
    ObjectNode run = valid();
    ((ObjectNode) run.at("/spec/sampling")).put("topK", "many");
    assertThat(errors(run)).anySatisfy(e -> assertThat(e).contains("topK").contains("integer"));
  }

  @Test
  void missingRequiredFieldIsRefused() throws IOException {
    ObjectNode run = valid();
    ((ObjectNode) run.at("/spec/data")).remove("labeled");
    assertThat(errors(run)).anySatisfy(e -> assertThat(e).contains("labeled"));
    // The student's architecture: the teacher's is required by a CEL rule instead (a torchscript
    // teacher has none), checked in crds' CrdValidationRulesTest.
    ObjectNode noArchitecture = valid();
    ((ObjectNode) noArchitecture.at("/spec/student")).remove("architecture");
    assertThat(errors(noArchitecture)).anySatisfy(e -> assertThat(e).contains("architecture"));
  }

  @Test
  void outOfRangeValueIsRefused() throws IOException {
    ObjectNode run = valid();
    ((ObjectNode) run.at("/spec/sampling")).put("topK", 0);
    assertThat(errors(run)).anySatisfy(e -> assertThat(e).contains("topK").contains("1"));
    ObjectNode gpus = valid();
    ((ObjectNode) gpus.at("/spec/resources")).put("gpus", 17);
    assertThat(errors(gpus)).anySatisfy(e -> assertThat(e).contains("gpus"));
  }

  @Test
  void unknownFormatAndUnknownFieldAreRefused() throws IOException {
    ObjectNode format = valid();
    ((ObjectNode) format.at("/spec/data/labeled")).put("format", "png");
    assertThat(errors(format)).anySatisfy(e -> assertThat(e).contains("format"));
    ObjectNode typo = valid();
    ((ObjectNode) typo.at("/spec/sampling")).put("topk", 100);
    assertThat(errors(typo)).anySatisfy(e -> assertThat(e).contains("topk"));
    ObjectNode badUri = valid();
    ((ObjectNode) badUri.at("/spec/data/validation")).put("uri", "http://example.com/val");
    assertThat(errors(badUri)).anySatisfy(e -> assertThat(e).contains("uri"));
  }

  private static List<String> errors(JsonNode run) {
    Set<ValidationMessage> messages = schema.validate(run);
    return messages.stream().map(ValidationMessage::toString).sorted().collect(Collectors.toList());
  }

  private static ObjectNode valid() throws IOException {
    return (ObjectNode) YAML.readTree("""
        apiVersion: semisup.dev/v1alpha1
        kind: SemiSupervisedRun
        metadata:
          name: negative-base
        spec:
          data:
            classes: 10
            labeled: {uri: "s3://data/train-images.gz", labelsUri: "s3://data/train-labels.gz", format: idx, perClass: 10}
            unlabeled: {uri: "s3://data/train-images.gz", format: idx, excludeLabeled: true}
            validation: {uri: "s3://data/test-images.gz", labelsUri: "s3://data/test-labels.gz", format: idx}
          teacher: {architecture: cnn-large}
          student: {architecture: cnn-small}
          sampling: {topK: 100, topP: 3, shards: 2}
          resources: {gpus: 0, cpu: "2", memory: 4Gi}
        """);
  }

  private static List<JsonNode> runsIn(Path file) throws IOException {
    List<JsonNode> runs = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(file.toFile())) {
      Iterator<JsonNode> documents = YAML.readValues(parser, JsonNode.class);
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document != null && "SemiSupervisedRun".equals(document.path("kind").asText())) {
          runs.add(document);
        }
      }
    }
    return runs;
  }
}
