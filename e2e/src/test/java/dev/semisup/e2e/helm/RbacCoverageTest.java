package dev.semisup.e2e.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.e2e.helm.OperatorAccount.ScopedRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's RBAC grants the operator every request it makes, where it makes it, and nothing
 * else: no wildcards, Secrets only where runs are watched, Leases only with leader election.
 * The requests are e2e/recorded/operator-api-requests.txt, recorded from the operator's real
 * requests to the mock API server in the e2e tests: the chart grants exactly those, no more.
 */
class RbacCoverageTest {

  static final Path RECORDED = Path.of("e2e/recorded/operator-api-requests.txt");
  private static final String RELEASE_NAMESPACE = Helm.NAMESPACE;
  private static final List<String> WATCHED = List.of("team-a", "team-b");

  /** Cluster-scoped resources the operator may touch: granted only through a ClusterRoleBinding. */
  private static final Set<String> CLUSTER_SCOPED = Set.of("apiextensions.k8s.io/customresourcedefinitions");
  /** Objects the operator reads and writes by a fixed name, so rules may name them. */
  private static final Map<String, String> OBJECT_NAMES = Map.of(
      "apiextensions.k8s.io/customresourcedefinitions", "semisupervisedruns.semisup.dev",
      // OperatorConfig.LEASE_NAME of the operator
      "coordination.k8s.io/leases", "semisup-operator");
  /**
   * Every authenticated user may create these (the built-in system:basic-user ClusterRole);
   * JOSDK asks them what it may do.
   */
  private static final Set<String> GRANTED_TO_EVERYONE = Set.of(
      "authorization.k8s.io/selfsubjectrulesreviews", "authorization.k8s.io/selfsubjectaccessreviews",
      "authentication.k8s.io/selfsubjectreviews");
  /**
   * Grants that are checked, never sent: JOSDK's leader election (LeaderElectionManager.checkLeaseAccess,
   * 5.2.3) asks a SelfSubjectRulesReview at start and refuses to start unless create, update and
   * get are granted on its Lease; Fabric8's LeaseLock renews with patch, so update never goes out.
   */
  private static final Set<Request> CHECKED_AT_START = Set.of(
      Request.parse("update coordination.k8s.io/leases"));
  /**
   * Grants that are not requests: Jobs carry an owner reference with blockOwnerDeletion, which the
   * API server only lets through for whoever may update the owner's finalizers.
   */
  private static final Set<Request> IMPLIED = Set.of(
      Request.parse("update semisup.dev/semisupervisedruns/finalizers"));

  private static Helm helm;
  private static Set<Request> required;

  @BeforeAll
  static void load() throws IOException {
    helm = Helm.require();
    required = new LinkedHashSet<>();
    Path recorded = Repo.root().resolve(RECORDED);
    assertThat(recorded).as("the operator's recorded API requests").isRegularFile();
    List<Request> lines = parse(Files.readString(recorded));
    assertThat(lines).as("requests in %s", RECORDED).isNotEmpty();
    required.addAll(lines);
    if (lines.stream().anyMatch(line -> line.target().equals("coordination.k8s.io/leases"))) {
      required.addAll(CHECKED_AT_START);
    }
  }

  static Stream<Setup> setups() {
    return Stream.of(
        new Setup("every namespace", List.of(), "--set", "watchAllNamespaces=true",
            "--set", "leaderElection.enabled=true"),
        new Setup("the release namespace (default)", List.of(RELEASE_NAMESPACE), "--set", "leaderElection.enabled=true"),
        new Setup("watchNamespaces", WATCHED, "--set", "watchNamespaces={team-a,team-b}",
            "--set", "replicas=2"),
        new Setup("all options", WATCHED, "-f", Repo.chart().resolve("ci/all-options-values.yaml").toString()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("setups")
  void everyRequestIsGrantedWhereTheOperatorMakesIt(Setup setup) {
    Grants grants = Grants.of(helm.template(setup.args()));
    for (Request request : required) {
      String target = request.target();
      if (GRANTED_TO_EVERYONE.contains(target)) {
        continue;
      }
      if (CLUSTER_SCOPED.contains(target)) {
        assertThat(grants.allows(request, null)).as("%s cluster-wide (%s)", request, setup).isTrue();
      } else if (target.equals("coordination.k8s.io/leases")) {
        assertThat(grants.allows(request, RELEASE_NAMESPACE))
            .as("%s in the operator's namespace (%s)", request, setup).isTrue();
      } else if (setup.watched().isEmpty()) {
        assertThat(grants.allows(request, null)).as("%s in every namespace (%s)", request, setup).isTrue();
      } else {
        for (String namespace : setup.watched()) {
          assertThat(grants.allows(request, namespace)).as("%s in %s (%s)", request, namespace, setup).isTrue();
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("setups")
  void nothingIsGrantedThatTheOperatorDoesNotUse(Setup setup) {
    Grants grants = Grants.of(helm.template(setup.args()));
    for (Request granted : grants.requests()) {
      assertThat(required.contains(granted) || IMPLIED.contains(granted))
          .as("%s is granted (%s) but the operator never sends it", granted, setup).isTrue();
    }
  }

  @Test
  void watchedNamespacesKeepSecretsAndJobsOutOfOtherNamespaces() {
    Grants grants = Grants.of(helm.template("--set", "watchNamespaces={team-a,team-b}"));
    for (Request request : required) {
      if (!CLUSTER_SCOPED.contains(request.target())) {
        assertThat(grants.allows(request, null)).as("%s must not be cluster-wide", request).isFalse();
        assertThat(grants.allows(request, "kube-system")).as("%s in kube-system", request).isFalse();
      }
    }
    assertThat(grants.allows(Request.parse("get /secrets"), "team-a")).isTrue();
    assertThat(grants.allows(Request.parse("get /secrets"), RELEASE_NAMESPACE))
        .as("the release namespace is not watched").isFalse();
  }

  @Test
  void leasesOnlyWithLeaderElection() {
    Request lease = Request.parse("get coordination.k8s.io/leases");
    Grants single = Grants.of(helm.templateDefault());
    assertThat(single.allows(lease, RELEASE_NAMESPACE)).as("one replica, no leader election").isFalse();
    Grants elected = Grants.of(helm.template("--set", "leaderElection.enabled=true"));
    assertThat(elected.allows(lease, RELEASE_NAMESPACE)).isTrue();
    assertThat(elected.allows(lease, null)).as("Leases are never granted cluster-wide").isFalse();
    assertThat(elected.allows(lease, "team-a")).isFalse();
    assertThat(elected.allowsNamed(lease, RELEASE_NAMESPACE, "another-lease"))
        .as("only the operator's own Lease").isFalse();
    assertThat(elected.allows(Request.parse("create coordination.k8s.io/leases"), RELEASE_NAMESPACE)).isTrue();
    assertThat(elected.allows(Request.parse("update coordination.k8s.io/leases"), RELEASE_NAMESPACE))
        .as("JOSDK checks update on the Lease before it starts").isTrue();
  }

  @Test
  void theDefaultInstallGrantsNothingClusterWide() {
    Rendered defaults = helm.templateDefault();
    assertThat(defaults.all(ClusterRole.class)).isEmpty();
    assertThat(defaults.all(ClusterRoleBinding.class)).isEmpty();
    Grants grants = Grants.of(defaults);
    assertThat(grants.allows(Request.parse("get /secrets"), RELEASE_NAMESPACE)).isTrue();
    assertThat(grants.allows(Request.parse("get /secrets"), "team-a")).isFalse();
    assertThat(grants.allows(Request.parse("create batch/jobs"), null)).isFalse();
  }

  @Test
  void noWildcardsInAnyRender() {
    List<Rendered> renders = List.of(helm.templateDefault(), helm.templateAllOptions(),
        helm.template("--set", "watchNamespaces={team-a,team-b}", "--set", "replicas=3"),
        helm.template("--set", "leaderElection.enabled=true", "--set", "minio.enabled=true"));
    for (Rendered rendered : renders) {
      List<PolicyRule> rules = new ArrayList<>();
      rendered.all(ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
      rendered.all(Role.class).forEach(r -> rules.addAll(r.getRules()));
      assertThat(rules).as("rules of %s", rendered).isNotEmpty();
      for (PolicyRule rule : rules) {
        Stream.of(rule.getVerbs(), rule.getResources(), rule.getApiGroups(), rule.getResourceNames())
            .filter(Objects::nonNull)
            .flatMap(List::stream)
            .forEach(value -> assertThat(value).as("a rule of %s", rendered).doesNotContain("*"));
        assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
        assertThat(rule.getVerbs()).as("no escalation verbs").doesNotContain("escalate", "bind", "impersonate");
      }
      rendered.all(ClusterRole.class).forEach(r -> assertThat(r.getAggregationRule()).isNull());
    }
  }

  static List<Request> parse(String text) {
    return text.lines().map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .map(Request::parse)
        .toList();
  }

  record Setup(String name, List<String> watched, String... args) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** One (verb, group/resource[/subresource]) line; the core group is empty ("get /secrets"). */
  record Request(String verb, String group, String resource) {

    static Request parse(String line) {
      String[] words = line.strip().split("\\s+");
      if (words.length < 2 || !words[1].contains("/")) {
        throw new IllegalArgumentException("not a 'verb group/resource' line: " + line);
      }
      int slash = words[1].indexOf('/');
      return new Request(words[0], words[1].substring(0, slash), words[1].substring(slash + 1));
    }

    String target() {
      return group + "/" + resource;
    }

    @Override
    public String toString() {
      return verb + " " + target();
    }
  }

  /** What the operator's ServiceAccount may do. */
  record Grants(List<ScopedRule> rules) {

    static Grants of(Rendered rendered) {
      List<ScopedRule> rules = OperatorAccount.of(rendered).rules();
      assertThat(rules).as("rules bound to the operator's ServiceAccount in %s", rendered).isNotEmpty();
      return new Grants(rules);
    }

    /** Whether the request is allowed in namespace (null: in every namespace, or cluster-scoped). */
    boolean allows(Request request, String namespace) {
      return allowsNamed(request, namespace, OBJECT_NAMES.get(request.target()));
    }

    boolean allowsNamed(Request request, String objectName) {
      return allowsNamed(request, null, objectName);
    }

    boolean allowsNamed(Request request, String namespace, String objectName) {
      return rules.stream()
          .filter(scoped -> scoped.namespace() == null || scoped.namespace().equals(namespace))
          .map(ScopedRule::rule)
          .anyMatch(rule -> rule.getApiGroups().contains(request.group())
              && rule.getResources().contains(request.resource())
              && rule.getVerbs().contains(request.verb())
              && namedObjectAllowed(rule, request.verb(), objectName));
    }

    private static boolean namedObjectAllowed(PolicyRule rule, String verb, String objectName) {
      if (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()) {
        return true;
      }
      // resourceNames cannot restrict list, watch or create: the API server sees no name there.
      return objectName != null && rule.getResourceNames().contains(objectName)
          && !Set.of("list", "watch", "create", "deletecollection").contains(verb);
    }

    /** Every (verb, resource) any rule grants, wherever. */
    Set<Request> requests() {
      Set<Request> out = new LinkedHashSet<>();
      for (ScopedRule scoped : rules) {
        PolicyRule rule = scoped.rule();
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            for (String verb : rule.getVerbs()) {
              out.add(new Request(verb, group, resource));
            }
          }
        }
      }
      return out;
    }
  }
}
