package dev.semisup.api.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads run manifests (YAML or JSON) strictly: an unknown field, a wrong type, a fraction where a
 * whole number belongs, a bad enum value, a non-finite number or a second YAML document is an
 * error naming the field path, never silently dropped, truncated or ignored. Messages speak YAML
 * (a whole number, a mapping), not Java or Jackson.
 */
public final class Manifests {

  private static final ObjectMapper YAML = strict(new ObjectMapper(new YAMLFactory()));
  private static final ObjectMapper JSON = strict(new ObjectMapper());
  private static final String API_VERSION = SemiSupervisedRun.GROUP + "/" + SemiSupervisedRun.VERSION;

  private Manifests() {
  }

  private static ObjectMapper strict(ObjectMapper mapper) {
    return mapper
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        // epochs: 1.5 must be an error, not 1.
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  }

  /** etcd's default request limit, which bounds any object the API server stores: 1.5 MiB. */
  public static final long MAX_FILE_BYTES = 3L * 1024 * 1024 / 2;

  /** The mapper for spec JSON passed to worker pods (strict, like manifests). */
  public static ObjectMapper json() {
    return JSON;
  }

  public static SemiSupervisedRun read(Path file) throws ManifestException {
    return parse(readText(file), file.toString());
  }

  /**
   * A manifest file's text. Only a regular file of at most {@link #MAX_FILE_BYTES} is read: a FIFO
   * or a device would block the command or stream without end, where a typo in a path deserves a
   * message.
   */
  public static String readText(Path file) throws ManifestException {
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      throw new ManifestException(file.toString(), List.of(new Problem("file",
          "is not a regular file (a FIFO, a device or a folder): give the manifest's own file")));
    }
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new ManifestException(file.toString(), List.of(new Problem("file",
            "is " + size + " bytes; a manifest is at most " + MAX_FILE_BYTES + " (the API server's own limit for an object)")));
      }
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ManifestException(file.toString(), List.of(new Problem("file", "does not exist")));
    } catch (IOException e) {
      throw new ManifestException(file.toString(), List.of(new Problem("file", "cannot be read: " + e.getMessage())));
    }
  }

  /** Parses a whole SemiSupervisedRun manifest. */
  public static SemiSupervisedRun parse(String text, String source) throws ManifestException {
    YamlScan scan = YamlScan.of(text, source, "");
    JsonNode tree = tree(text, source);
    if (tree == null || !tree.isObject()) {
      throw new ManifestException(source, List.of(new Problem("document", "must be a mapping with apiVersion, kind, metadata and spec")));
    }
    String apiVersion = tree.path("apiVersion").asText(null);
    String kind = tree.path("kind").asText(null);
    if (!API_VERSION.equals(apiVersion)) {
      throw new ManifestException(source, List.of(new Problem("apiVersion", "must be " + API_VERSION + ", was " + apiVersion)));
    }
    if (!"SemiSupervisedRun".equals(kind)) {
      throw new ManifestException(source, List.of(new Problem("kind", "must be SemiSupervisedRun, was " + kind)));
    }
    try {
      return YAML.treeToValue(tree, SemiSupervisedRun.class);
    } catch (JsonProcessingException e) {
      throw new ManifestException(source, List.of(problemOf(e, "", scan.lines())));
    }
  }

  /** Parses a spec alone (the JSON a worker pod receives). */
  public static SemiSupervisedRunSpec parseSpec(String text, String source) throws ManifestException {
    YamlScan scan = YamlScan.of(text, source, "spec");
    JsonNode tree = tree(text, source);
    if (tree == null || tree.isNull() || tree.isMissingNode()) {
      throw new ManifestException(source, List.of(new Problem("spec", "is empty")));
    }
    try {
      return YAML.treeToValue(tree, SemiSupervisedRunSpec.class);
    } catch (JsonProcessingException e) {
      throw new ManifestException(source, List.of(problemOf(e, "spec", scan.lines())));
    }
  }

  public static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  private static JsonNode tree(String text, String source) throws ManifestException {
    try {
      return YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ManifestException(source, List.of(new Problem("document", "is not YAML or JSON: "
          + e.getOriginalMessage() + location(e))));
    }
  }

  private static Problem problemOf(JsonProcessingException e, String root, Map<String, Integer> lines) {
    String path = root;
    if (e instanceof JsonMappingException mapping) {
      StringBuilder sb = new StringBuilder(root);
      for (JsonMappingException.Reference ref : mapping.getPath()) {
        if (ref.getFieldName() != null) {
          sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
        } else if (ref.getIndex() >= 0) {
          sb.append('[').append(ref.getIndex()).append(']');
        }
      }
      path = sb.length() == 0 ? "document" : sb.toString();
    }
    Integer line = lines.get(path);
    String where = line == null ? "" : " (line " + line + ")";
    if (e instanceof UnrecognizedPropertyException unknown) {
      return new Problem(path, "unknown field '" + unknown.getPropertyName() + "'" + where);
    }
    return new Problem(path, expectation(e) + where);
  }

  /** What the field needed and what it got, in the manifest's words (no Java types, no Jackson options). */
  private static String expectation(JsonProcessingException e) {
    Class<?> type = e instanceof MismatchedInputException mismatch ? mismatch.getTargetType()
        : e.getCause() instanceof InputCoercionException coercion ? coercion.getTargetType() : null;
    String was = e instanceof InvalidFormatException invalid ? ", was " + invalid.getValue()
        : e.getCause() instanceof InputCoercionException coercion ? ", was " + numberIn(coercion.getOriginalMessage())
        : "";
    if (type == null) {
      return "cannot be read: " + withoutJavaNames(e.getOriginalMessage());
    }
    if (type == Integer.class || type == int.class) {
      return e.getCause() instanceof InputCoercionException
          ? "must be a whole number between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE + was
          : "must be a whole number" + was;
    }
    if (type == Long.class || type == long.class) {
      return "must be a whole number" + was;
    }
    if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
      return "must be a number" + was;
    }
    if (type == Boolean.class || type == boolean.class) {
      return "must be true or false" + was;
    }
    if (type == String.class) {
      return "must be a text value, not a list or mapping";
    }
    if (type.isEnum()) {
      return "must be one of " + Arrays.stream(type.getEnumConstants()).map(Manifests::wireName)
          .collect(Collectors.joining(", ")) + was;
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "must be a list" + was;
    }
    return "must be a mapping" + was;
  }

  private static String wireName(Object constant) {
    return toJson(constant).replace("\"", "");
  }

  private static String numberIn(String message) {
    var matcher = java.util.regex.Pattern.compile("\\(([-0-9.eE+]+)\\)").matcher(message);
    return matcher.find() ? matcher.group(1) : "out of range";
  }

  private static String withoutJavaNames(String message) {
    return message.replaceAll("`[^`]*`", "a value").replaceAll("\\s+", " ");
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null || e.getLocation().getLineNr() < 1 ? "" : " (line " + e.getLocation().getLineNr() + ")";
  }

  /**
   * A pass over the YAML tokens before any value is converted: it counts documents (the reader
   * would silently take the first), finds YAML's non-finite numbers ({@code .nan}, {@code .inf},
   * which the number reader cannot hold), and remembers the line of every field for messages.
   */
  private record YamlScan(Map<String, Integer> lines) {

    private static final java.util.regex.Pattern NON_FINITE = java.util.regex.Pattern.compile("[-+]?\\.(nan|NaN|NAN|inf|Inf|INF)");

    static YamlScan of(String text, String source, String root) throws ManifestException {
      Map<String, Integer> lines = new java.util.HashMap<>();
      List<Problem> nonFinite = new java.util.ArrayList<>();
      int documents = 0;
      int depth = 0;
      try (var parser = YAML.getFactory().createParser(text)) {
        JsonToken token;
        while ((token = parser.nextToken()) != null) {
          if (depth == 0 && token != JsonToken.VALUE_NULL) {
            documents++;
          }
          if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            depth++;
            continue;
          }
          if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
            depth--;
            continue;
          }
          if (token == JsonToken.FIELD_NAME) {
            continue;
          }
          String path = path(parser.getParsingContext().pathAsPointer().toString(), root);
          lines.putIfAbsent(path, parser.currentTokenLocation().getLineNr());
          if (token == JsonToken.VALUE_NUMBER_FLOAT && NON_FINITE.matcher(parser.getText()).matches()) {
            nonFinite.add(new Problem(path, "must be a finite number, was " + parser.getText()
                + " (line " + parser.currentTokenLocation().getLineNr() + ")"));
          }
        }
      } catch (JsonProcessingException e) {
        throw new ManifestException(source, List.of(new Problem("document", "is not YAML or JSON: "
            + e.getOriginalMessage() + location(e))));
      } catch (IOException e) {
        throw new IllegalStateException("reading a string cannot fail", e);
      }
      if (documents > 1) {
        throw new ManifestException(source, List.of(new Problem("document",
            "holds " + documents + " YAML documents; one run per file")));
      }
      if (!nonFinite.isEmpty()) {
        throw new ManifestException(source, nonFinite);
      }
      return new YamlScan(lines);
    }

    /** /spec/teacher/training/learningRate -> spec.teacher.training.learningRate; /mean/0 -> mean[0]. */
    private static String path(String pointer, String root) {
      StringBuilder sb = new StringBuilder(root);
      for (String part : pointer.split("/")) {
        if (part.isEmpty()) {
          continue;
        }
        String name = part.replace("~1", "/").replace("~0", "~");
        if (name.chars().allMatch(Character::isDigit)) {
          sb.append('[').append(name).append(']');
        } else {
          sb.append(sb.length() == 0 ? "" : ".").append(name);
        }
      }
      return sb.length() == 0 ? "document" : sb.toString();
    }
  }
}
