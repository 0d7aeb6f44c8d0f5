package dev.semisup.api.v1alpha1;

import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/**
 * Makes {@code status.conditions} a map list keyed by {@code type}, with {@code type} and
 * {@code status} required, as Kubernetes' own conditions are: the API server then refuses two
 * conditions of one type, and server-side apply merges conditions by type instead of replacing
 * the whole list. No annotation of the CRD generator says this.
 */
public final class ConditionsMapList implements SchemaCustomizer.Customizer {

  static final String FIELD = "conditions";
  static final List<String> KEYS = List.of("type");
  static final List<String> REQUIRED = List.of("status", "type");

  @Override
  public JSONSchemaProps apply(JSONSchemaProps status, String input, KubernetesSerialization serialization) {
    JSONSchemaProps conditions = status.getProperties() == null ? null : status.getProperties().get(FIELD);
    if (conditions == null || conditions.getItems() == null || conditions.getItems().getSchema() == null) {
      throw new IllegalStateException("the status schema has no list of objects named " + FIELD);
    }
    conditions.setXKubernetesListType("map");
    conditions.setXKubernetesListMapKeys(KEYS);
    conditions.getItems().getSchema().setRequired(REQUIRED);
    return status;
  }
}
