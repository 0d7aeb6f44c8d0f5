package dev.semisup.api.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads run manifests (YAML or JSON) strictly: an unknown field, a wrong type or a bad enum value
 * is an error naming the field path, never silently dropped.
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
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  }

  /** The mapper for spec JSON passed to worker pods (strict, like manifests). */
  public static ObjectMapper json() {
    return JSON;
  }

  public static SemiSupervisedRun read(Path file) throws ManifestException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ManifestException(file.toString(), List.of(new Problem("file", "does not exist")));
    } catch (IOException e) {
      throw new ManifestException(file.toString(), List.of(new Problem("file", "cannot be read: " + e.getMessage())));
    }
    return parse(text, file.toString());
  }

  /** Parses a whole SemiSupervisedRun manifest. */
  public static SemiSupervisedRun parse(String text, String source) throws ManifestException {
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ManifestException(source, List.of(new Problem("document", "is not YAML or JSON: "
          + e.getOriginalMessage() + location(e))));
    }
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
      throw new ManifestException(source, List.of(problemOf(e, "")));
    }
  }

  /** Parses a spec alone (the JSON a worker pod receives). */
  public static SemiSupervisedRunSpec parseSpec(String text, String source) throws ManifestException {
    try {
      SemiSupervisedRunSpec spec = YAML.readValue(text, SemiSupervisedRunSpec.class);
      if (spec == null) {
        throw new ManifestException(source, List.of(new Problem("spec", "is empty")));
      }
      return spec;
    } catch (JsonProcessingException e) {
      throw new ManifestException(source, List.of(problemOf(e, "spec")));
    }
  }

  public static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  private static Problem problemOf(JsonProcessingException e, String root) {
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
    if (e instanceof UnrecognizedPropertyException unknown) {
      return new Problem(path, "unknown field '" + unknown.getPropertyName() + "'");
    }
    return new Problem(path, e.getOriginalMessage().replaceAll("\\s+", " ") + location(e));
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
  }
}
