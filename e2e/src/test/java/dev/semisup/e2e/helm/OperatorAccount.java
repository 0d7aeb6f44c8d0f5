package dev.semisup.e2e.helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;

/**
 * The RBAC rules a rendered chart binds to the operator's ServiceAccount, each with the namespace
 * it holds in (null: cluster-wide, through a ClusterRoleBinding). Tests that play the API server's
 * authorizer answer from these, so the operator is granted exactly what the chart grants.
 */
public record OperatorAccount(List<ScopedRule> rules) {

  /** The namespace the chart tests install into: the operator's own, where its Lease lives. */
  public static final String RELEASE_NAMESPACE = Helm.NAMESPACE;

  /** A rule and the namespace it holds in; null: every namespace and cluster-scoped objects. */
  public record ScopedRule(String namespace, PolicyRule rule) {
  }

  /** The operator's rules in the chart as helm template renders it with these arguments. */
  public static OperatorAccount ofChart(String... helmArgs) {
    return of(Helm.require().template(helmArgs));
  }

  public static OperatorAccount of(Rendered rendered) {
    Deployment operator = rendered.all(Deployment.class).stream()
        .filter(d -> "operator".equals(d.getSpec().getTemplate().getMetadata().getLabels()
            .get("app.kubernetes.io/component")))
        .findFirst().orElseThrow(() -> new AssertionError("no operator Deployment in " + rendered));
    String account = operator.getSpec().getTemplate().getSpec().getServiceAccountName();
    String accountNamespace = operator.getMetadata().getNamespace();
    List<ScopedRule> rules = new ArrayList<>();
    for (ClusterRoleBinding binding : rendered.all(ClusterRoleBinding.class)) {
      if (names(binding.getSubjects(), account, accountNamespace)) {
        rolesRules(rendered, binding.getRoleRef(), null).forEach(rule -> rules.add(new ScopedRule(null, rule)));
      }
    }
    for (RoleBinding binding : rendered.all(RoleBinding.class)) {
      if (names(binding.getSubjects(), account, accountNamespace)) {
        String namespace = binding.getMetadata().getNamespace();
        rolesRules(rendered, binding.getRoleRef(), namespace).forEach(rule -> rules.add(new ScopedRule(namespace, rule)));
      }
    }
    return new OperatorAccount(List.copyOf(rules));
  }

  /**
   * What a SelfSubjectRulesReview in {@code namespace} answers: the cluster-wide rules and those
   * bound there, with their resourceNames, as the API server lists them.
   */
  public List<ResourceRule> resourceRulesIn(String namespace) {
    return rules.stream()
        .filter(scoped -> scoped.namespace() == null || scoped.namespace().equals(namespace))
        .map(ScopedRule::rule)
        .map(rule -> new ResourceRuleBuilder().withApiGroups(rule.getApiGroups()).withResources(rule.getResources())
            .withVerbs(rule.getVerbs()).withResourceNames(rule.getResourceNames()).build())
        .toList();
  }

  private static boolean names(List<Subject> subjects, String account, String namespace) {
    return subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
        && account.equals(s.getName()) && namespace.equals(s.getNamespace()));
  }

  private static List<PolicyRule> rolesRules(Rendered rendered, RoleRef ref, String namespace) {
    if (!"rbac.authorization.k8s.io".equals(ref.getApiGroup())) {
      throw new AssertionError("roleRef " + ref.getName() + " has apiGroup " + ref.getApiGroup());
    }
    HasMetadata role = "ClusterRole".equals(ref.getKind())
        ? rendered.get(ClusterRole.class, null, ref.getName())
        : rendered.get(Role.class, namespace, ref.getName());
    return role instanceof ClusterRole clusterRole ? clusterRole.getRules() : ((Role) role).getRules();
  }
}
