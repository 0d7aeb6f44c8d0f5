package dev.semisup.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD (the one kubectl and the chart apply) declares status.conditions as Kubernetes
 * declares its own: a map list keyed by type, each condition with a type and a status. Otherwise
 * the API server keeps two conditions of one type and server-side apply replaces the whole list.
 */
class ConditionsMapListTest {

  private static final File COMMITTED = new File("semisupervisedruns.semisup.dev-v1.yml");

  @Test
  void conditionsAreAMapListKeyedByTypeWithTypeAndStatusRequired() throws Exception {
    JsonNode conditions = new ObjectMapper(new YAMLFactory()).readTree(COMMITTED)
        .at("/spec/versions/0/schema/openAPIV3Schema/properties/status/properties/conditions");
    assertThat(conditions.path("type").asText()).isEqualTo("array");
    assertThat(conditions.path("x-kubernetes-list-type").asText()).isEqualTo("map");
    assertThat(texts(conditions.path("x-kubernetes-list-map-keys"))).containsExactly("type");
    assertThat(texts(conditions.at("/items/required"))).containsExactlyInAnyOrder("type", "status");
    // A map list's keys must be required or defaulted, and scalars (the API server's rule).
    assertThat(conditions.at("/items/properties/type/type").asText()).isEqualTo("string");
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asText()));
    return out;
  }
}
