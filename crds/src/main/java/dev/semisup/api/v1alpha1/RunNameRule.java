package dev.semisup.api.v1alpha1;

import dev.semisup.api.naming.RunName;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds the CRD's rule on metadata.name, built from {@link RunName} when the CRD is generated: its
 * length limit is computed from the Job names (no annotation can hold a computed value), so the
 * API server and {@code semisup run} refuse the same names.
 */
public final class RunNameRule implements SchemaCustomizer.Customizer {

  static final String RULE = "self.metadata.name.matches('" + RunName.REGEX + "')"
      + " && size(self.metadata.name) <= " + RunName.MAX_LENGTH;
  static final String MESSAGE = "metadata.name must be a DNS-1123 label (lowercase letters, digits and '-', no dots)"
      + " of at most " + RunName.MAX_LENGTH + " characters: with its longest step and retry suffix it names the"
      + " run's Jobs and their pods";

  @Override
  public JSONSchemaProps apply(JSONSchemaProps schema, String input, KubernetesSerialization serialization) {
    List<ValidationRule> rules = new ArrayList<>();
    rules.add(new ValidationRuleBuilder().withRule(RULE).withMessage(MESSAGE).build());
    if (schema.getXKubernetesValidations() != null) {
      rules.addAll(schema.getXKubernetesValidations());
    }
    schema.setXKubernetesValidations(rules);
    return schema;
  }
}
