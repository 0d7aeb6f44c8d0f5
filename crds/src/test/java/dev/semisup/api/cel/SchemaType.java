package dev.semisup.api.cel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the API server makes of one node of a CRD's OpenAPI schema for CEL (k8s.io/apiserver
 * pkg/cel/common SchemaDeclType): the CEL type, the most elements a value can have (a string's
 * bytes, a list's items, a map's entries; 0 for objects and scalars) and the fewest bytes a value
 * takes in JSON. Both sizes feed the API server's cost estimate of a rule.
 */
public record SchemaType(JsonNode schema, CelType celType, long maxElements, long minSerializedSize,
    Map<String, SchemaType> fields, SchemaType element) {

  /** The API server's request size limit: an unbounded string or list is estimated to fill it. */
  public static final long MAX_REQUEST_SIZE_BYTES = 3L * 1024 * 1024;
  private static final long MIN_STRING_SIZE = 2;
  private static final long MIN_BOOL_SIZE = 4;
  private static final long MIN_NUMBER_SIZE = 1;

  /** The type of a CRD's root: apiVersion, kind and metadata.name are there even when the schema omits them. */
  public static SchemaType root(JsonNode schema, Map<String, CelType> structs) {
    return of(schema, "self", true, structs);
  }

  public static SchemaType of(JsonNode schema, String name, boolean resourceRoot, Map<String, CelType> structs) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      long max = schema.has("maxLength") ? 4 * schema.get("maxLength").asLong() : MAX_REQUEST_SIZE_BYTES - 2;
      return new SchemaType(schema, SimpleType.DYN, max, 1, Map.of(), null);
    }
    String type = schema.path("type").asText();
    switch (type) {
      case "array": {
        SchemaType items = of(schema.path("items"), name + ".@items", false, structs);
        long max = schema.has("maxItems") ? schema.get("maxItems").asLong()
            : (MAX_REQUEST_SIZE_BYTES - 2) / (items.minSerializedSize + 1);
        return new SchemaType(schema, ListType.create(items.celType), max, 2, Map.of(), items);
      }
      case "object": {
        JsonNode additional = schema.path("additionalProperties");
        if (additional.isObject()) {
          SchemaType values = of(additional, name + ".@values", false, structs);
          long max = schema.has("maxProperties") ? schema.get("maxProperties").asLong()
              : (MAX_REQUEST_SIZE_BYTES - 2) / (values.minSerializedSize + 6);
          return new SchemaType(schema, MapType.create(SimpleType.STRING, values.celType), max, 2, Map.of(), values);
        }
        Map<String, SchemaType> fields = new LinkedHashMap<>();
        if (resourceRoot) {
          fields.put("apiVersion", string(null));
          fields.put("kind", string(null));
          SchemaType nameType = string(null);
          Map<String, SchemaType> metadata = new LinkedHashMap<>();
          metadata.put("name", nameType);
          metadata.put("generateName", nameType);
          fields.put("metadata", struct(name + ".metadata", null, metadata, 2, structs));
        }
        long minSize = 2;
        for (var property : (Iterable<Map.Entry<String, JsonNode>>) () -> schema.path("properties").fields()) {
          SchemaType field = of(property.getValue(), name + "." + property.getKey(), false, structs);
          fields.put(property.getKey(), field);
          boolean required = false;
          for (JsonNode r : schema.path("required")) {
            required |= r.asText().equals(property.getKey());
          }
          if (required && !property.getValue().has("default")) {
            minSize += property.getKey().length() + field.minSerializedSize + 4;
          }
        }
        if (fields.isEmpty() && schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
          return new SchemaType(schema, SimpleType.DYN, 0, 2, Map.of(), null);
        }
        return struct(name, schema, fields, minSize, structs);
      }
      case "string":
        return string(schema);
      case "boolean":
        return new SchemaType(schema, SimpleType.BOOL, 0, MIN_BOOL_SIZE, Map.of(), null);
      case "number":
        return new SchemaType(schema, SimpleType.DOUBLE, 0, MIN_NUMBER_SIZE, Map.of(), null);
      case "integer":
        return new SchemaType(schema, SimpleType.INT, 0, MIN_NUMBER_SIZE, Map.of(), null);
      default:
        throw new IllegalArgumentException("schema of " + name + " has no type CEL can give it: " + schema);
    }
  }

  private static SchemaType string(JsonNode schema) {
    long max;
    if (schema != null && schema.has("maxLength")) {
      max = 4 * schema.get("maxLength").asLong(); // maxLength counts characters; a character is up to 4 bytes
    } else if (schema != null && schema.has("enum")) {
      max = 0;
      for (JsonNode value : schema.get("enum")) {
        max = Math.max(max, value.asText().length());
      }
    } else {
      max = MAX_REQUEST_SIZE_BYTES - 2;
    }
    return new SchemaType(schema, SimpleType.STRING, max, MIN_STRING_SIZE, Map.of(), null);
  }

  private static SchemaType struct(String name, JsonNode schema, Map<String, SchemaType> fields, long minSize,
      Map<String, CelType> structs) {
    Map<String, SchemaType> copy = Map.copyOf(fields);
    // A name no expression can spell: a dotted one like self.spec would be taken for the type itself.
    StructType type = StructType.create("schema:" + name, com.google.common.collect.ImmutableSet.copyOf(fields.keySet()),
        field -> Optional.ofNullable(copy.get(field)).map(SchemaType::celType));
    structs.put(type.name(), type);
    return new SchemaType(schema, type, 0, minSize, fields, null);
  }

  /** Whether the schema bounds the size of this value (maxLength, an enum, maxItems, maxProperties). */
  public boolean bounded() {
    return schema != null && (schema.has("maxLength") || schema.has("enum") || schema.has("maxItems")
        || schema.has("maxProperties"));
  }
}
