package dev.semisup.e2e.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.v1alpha1.ResourcesSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders the chart with helm (default values, every option set, namespaced RBAC) and checks
 * what a cluster admin checks first: every object parses into its Fabric8 type, selectors find
 * their pods, every pod and container runs restricted, and worker pods get no API token.
 */
class ChartRenderTest {

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
  private static final Set<String> CLUSTER_SCOPED =
      Set.of("CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding");
  /** Kinds Fabric8 has no model class for; everything else must parse into its typed class. */
  private static final Set<String> CUSTOM_KINDS = Set.of("ServiceMonitor");

  private static Helm helm;
  private static Rendered defaults;
  private static Rendered allOptions;
  private static Rendered namespaced;

  @BeforeAll
  static void render() {
    helm = Helm.require();
    defaults = helm.templateDefault();
    allOptions = helm.templateAllOptions();
    namespaced = helm.template("--set", "watchNamespaces={team-a,team-b}");
  }

  static Stream<Rendered> renders() {
    return Stream.of(defaults, allOptions, namespaced);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void everyObjectIsValid(Rendered rendered) {
    assertThat(rendered.objects()).as("objects of %s", rendered).isNotEmpty();
    Set<String> identities = new HashSet<>();
    for (HasMetadata object : rendered.objects()) {
      String what = object.getKind() + " " + object.getMetadata().getName() + " in " + rendered;
      assertThat(object.getApiVersion()).as("apiVersion of %s", what).isNotBlank();
      if (object instanceof GenericKubernetesResource) {
        assertThat(object.getKind()).as("%s has no Fabric8 model class: a typo in kind or apiVersion?", what)
            .isIn(CUSTOM_KINDS);
      }
      String name = object.getMetadata().getName();
      assertThat(name).as("name of %s", what).isNotBlank().hasSizeLessThanOrEqualTo(253)
          .matches(DNS_SUBDOMAIN);
      if (object instanceof Service) {
        assertThat(name).as("Service names are DNS labels: %s", what).hasSizeLessThanOrEqualTo(63)
            .matches(DNS_LABEL);
      }
      if (CLUSTER_SCOPED.contains(object.getKind())) {
        assertThat(object.getMetadata().getNamespace()).as("namespace of cluster-scoped %s", what).isNull();
      } else {
        assertThat(object.getMetadata().getNamespace()).as("namespace of %s", what).isNotBlank()
            .matches(DNS_LABEL);
      }
      assertThat(identities.add(object.getApiVersion().replaceAll("/.*", "") + "/" + object.getKind() + "/"
          + object.getMetadata().getNamespace() + "/" + name)).as("%s rendered twice", what).isTrue();
      Map<String, String> labels = Objects.requireNonNullElse(object.getMetadata().getLabels(), Map.of());
      labels.forEach((key, value) -> assertThat(value).as("label %s of %s", key, what)
          .hasSizeLessThanOrEqualTo(63).matches(LABEL_VALUE));
      if (!(object instanceof CustomResourceDefinition)) {
        assertThat(labels).as("standard labels of %s", what)
            .containsKeys("app.kubernetes.io/name", "app.kubernetes.io/instance",
                "app.kubernetes.io/managed-by", "helm.sh/chart")
            .containsEntry("app.kubernetes.io/part-of", "semisup");
      }
    }
    assertThat(rendered.all(CustomResourceDefinition.class)).as("the CRD from the chart's crds/")
        .singleElement()
        .satisfies(crd -> assertThat(crd.getMetadata().getName()).isEqualTo("semisupervisedruns.semisup.dev"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void selectorsMatchPodLabels(Rendered rendered) {
    for (Deployment deployment : rendered.all(Deployment.class)) {
      assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
          .as("pod labels of Deployment %s", deployment.getMetadata().getName())
          .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
      assertThat(deployment.getSpec().getSelector().getMatchExpressions()).isNullOrEmpty();
    }
    for (Service service : rendered.all(Service.class)) {
      Map<String, String> selector = service.getSpec().getSelector();
      assertThat(selector).as("selector of Service %s", service.getMetadata().getName()).isNotEmpty();
      List<PodTemplateSpec> pods = rendered.all(Deployment.class).stream()
          .filter(d -> d.getMetadata().getNamespace().equals(service.getMetadata().getNamespace()))
          .map(d -> d.getSpec().getTemplate())
          .filter(t -> t.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
          .toList();
      assertThat(pods).as("Deployments whose pods Service %s selects", service.getMetadata().getName())
          .hasSize(1);
      Set<String> portNames = pods.get(0).getSpec().getContainers().stream()
          .flatMap(c -> c.getPorts().stream()).map(ContainerPort::getName).collect(toSet());
      for (ServicePort port : service.getSpec().getPorts()) {
        assertThat(port.getTargetPort().getStrVal())
            .as("targetPort of %s/%s names a container port", service.getMetadata().getName(), port.getName())
            .isIn(portNames);
      }
    }
    for (GenericKubernetesResource monitor : rendered.generic("ServiceMonitor")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
      @SuppressWarnings("unchecked")
      Map<String, String> matchLabels =
          (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
      List<Service> services = rendered.all(Service.class).stream()
          .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(matchLabels.entrySet()))
          .toList();
      assertThat(services).as("Services the ServiceMonitor selects").hasSize(1);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("endpoints");
      assertThat(endpoints).extracting(e -> e.get("port"))
          .allMatch(port -> services.get(0).getSpec().getPorts().stream().anyMatch(p -> port.equals(p.getName())));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void everyPodAndContainerRunsRestricted(Rendered rendered) {
    List<PodSpec> pods = podSpecs(rendered);
    assertThat(pods).as("pod specs of %s", rendered).isNotEmpty();
    for (PodSpec pod : pods) {
      String podName = pod.getContainers().get(0).getName();
      PodSecurityContext podContext = pod.getSecurityContext();
      assertThat(podContext).as("pod securityContext of %s", podName).isNotNull();
      assertThat(podContext.getRunAsNonRoot()).as("pod runAsNonRoot of %s", podName).isTrue();
      assertThat(podContext.getRunAsUser()).as("pod runAsUser of %s", podName).isNotNull().isPositive();
      assertThat(podContext.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(pod.getHostNetwork()).as("hostNetwork of %s", podName).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getVolumes()).as("volumes of %s", podName).noneMatch(v -> v.getHostPath() != null);
      List<Container> containers = new ArrayList<>(pod.getContainers());
      containers.addAll(Objects.requireNonNullElse(pod.getInitContainers(), List.of()));
      for (Container container : containers) {
        String what = "container " + container.getName() + " in " + rendered;
        SecurityContext context = container.getSecurityContext();
        assertThat(context).as("securityContext of %s", what).isNotNull();
        assertThat(context.getRunAsNonRoot()).as("runAsNonRoot of %s", what).isTrue();
        assertThat(context.getAllowPrivilegeEscalation()).as("allowPrivilegeEscalation of %s", what).isFalse();
        assertThat(context.getPrivileged()).as("privileged of %s", what).isNotEqualTo(Boolean.TRUE);
        assertThat(context.getReadOnlyRootFilesystem()).as("readOnlyRootFilesystem of %s", what).isTrue();
        assertThat(context.getCapabilities().getDrop()).as("dropped capabilities of %s", what).contains("ALL");
        assertThat(context.getCapabilities().getAdd()).as("added capabilities of %s", what).isNullOrEmpty();
        assertThat(context.getSeccompProfile().getType()).as("seccomp of %s", what).isEqualTo("RuntimeDefault");
        assertThat(container.getImage()).as("image of %s", what)
            .doesNotEndWith(":latest").matches(".+(:[\\w][\\w.-]*|@sha256:[a-f0-9]{64})$");
        assertThat(container.getResources().getRequests()).as("requests of %s", what).containsKey("memory");
        assertThat(container.getResources().getLimits()).as("limits of %s", what).containsKey("memory");
        // A read-only root needs somewhere to write: /tmp from an emptyDir.
        assertThat(container.getVolumeMounts()).as("/tmp of %s", what)
            .anySatisfy(mount -> {
              assertThat(mount.getMountPath()).isEqualTo("/tmp");
              Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                  .findFirst().orElseThrow();
              assertThat(volume.getEmptyDir()).isNotNull();
            });
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void workerServiceAccountGetsNoApiTokenAndNoRights(Rendered rendered) {
    // The name runs use unless they say otherwise (spec.resources.serviceAccountName).
    String workerAccount = new ResourcesSpec().getServiceAccountName();
    List<ServiceAccount> workers = rendered.all(ServiceAccount.class).stream()
        .filter(sa -> sa.getMetadata().getName().equals(workerAccount)).toList();
    assertThat(workers).as("worker ServiceAccounts of %s", rendered).isNotEmpty();
    for (ServiceAccount worker : workers) {
      assertThat(worker.getAutomountServiceAccountToken())
          .as("automountServiceAccountToken of semisup-worker in %s", worker.getMetadata().getNamespace())
          .isFalse();
    }
    Stream<Subject> subjects = Stream.concat(
        rendered.all(RoleBinding.class).stream().flatMap(b -> b.getSubjects().stream()),
        rendered.all(ClusterRoleBinding.class).stream().flatMap(b -> b.getSubjects().stream()));
    assertThat(subjects).as("bindings of the worker ServiceAccount")
        .noneMatch(s -> s.getName().equals(workerAccount));
    // Nothing but the operator talks to the API server.
    for (Deployment deployment : rendered.all(Deployment.class)) {
      boolean operator = "operator".equals(deployment.getSpec().getTemplate().getMetadata().getLabels()
          .get("app.kubernetes.io/component"));
      assertThat(deployment.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
          .as("token of Deployment %s", deployment.getMetadata().getName())
          .isEqualTo(operator);
    }
    rendered.all(Job.class).forEach(job -> assertThat(job.getSpec().getTemplate().getSpec()
        .getAutomountServiceAccountToken()).as("token of Job %s", job.getMetadata().getName()).isFalse());
  }

  @Test
  void defaultsWatchTheReleaseNamespaceWithOneOperatorAndNoMinio() {
    Deployment operator = defaults.get(Deployment.class, "semisup", "semisup-operator");
    Container container = operator.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, EnvVar> env = env(container);
    assertThat(env.get("WATCH_NAMESPACES").getValue()).isEqualTo("semisup");
    assertThat(env.get("ALLOWED_IMAGES").getValue())
        .isEqualTo("ghcr.io/semisup/semisup-worker:*,ghcr.io/semisup/semisup-worker@*,"
            + "ghcr.io/semisup/semisup-trainer:*,ghcr.io/semisup/semisup-trainer@*");
    assertThat(env.get("TRAINER_IMAGE").getValue()).isEqualTo("ghcr.io/semisup/semisup-trainer:0.1.0");
    assertThat(env.get("ALLOWED_SERVICE_ACCOUNTS").getValue()).isEqualTo("semisup-worker");
    assertThat(env.get("ALLOWED_ENDPOINTS").getValue()).as("no MinIO, no endpoint list").isEmpty();
    assertThat(env.get("LEADER_ELECTION_ENABLED").getValue()).isEqualTo("false");
    assertThat(env.get("OPERATOR_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env.get("HTTP_PORT").getValue()).isEqualTo("8080");
    assertThat(env.get("LOG_FORMAT").getValue()).isEqualTo("plain");
    assertThat(env.get("LOG_LEVEL").getValue()).isEqualTo("INFO");
    assertThat(env.get("PROGRESS_INTERVAL_SECONDS").getValue()).isEqualTo("10");
    assertThat(env.get("RECONCILE_THREADS").getValue()).isEqualTo("10");
    assertThat(container.getImage()).isEqualTo("ghcr.io/semisup/semisup-operator:0.1.0");
    assertThat(operator.getSpec().getReplicas()).isEqualTo(1);
    assertThat(operator.getSpec().getStrategy().getType())
        .as("without leader election two operators must never overlap").isEqualTo("Recreate");
    assertProbesOnHttpPort(container, 8080);
    assertThat(operator.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("semisup-operator");
    defaults.get(ServiceAccount.class, "semisup", "semisup-operator");
    assertThat(defaults.get(ServiceAccount.class, "semisup", "semisup-worker").getAutomountServiceAccountToken())
        .isFalse();
    assertThat(defaults.get(Service.class, "semisup", "semisup-operator-metrics").getSpec().getPorts())
        .singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
    assertThat(defaults.all(ClusterRole.class)).as("nothing cluster-wide").isEmpty();
    assertThat(defaults.all(ClusterRoleBinding.class)).isEmpty();
    assertThat(defaults.all(Role.class)).as("one Role in the release namespace; no Lease Role without leader election")
        .extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactly("semisup/semisup-operator");
    Rendered everywhere = helm.template("--set", "watchAllNamespaces=true");
    assertThat(everywhere.all(ClusterRole.class)).extracting(r -> r.getMetadata().getName())
        .containsExactly("semisup-operator");
    assertThat(env(everywhere.get(Deployment.class, "semisup", "semisup-operator").getSpec().getTemplate().getSpec()
        .getContainers().get(0)).get("WATCH_NAMESPACES").getValue()).isEmpty();
    assertThat(defaults.all(Secret.class)).isEmpty();
    assertThat(defaults.all(PersistentVolumeClaim.class)).isEmpty();
    assertThat(defaults.all(Job.class)).isEmpty();
    assertThat(defaults.generic("ServiceMonitor")).isEmpty();
    assertThat(defaults.all(Deployment.class)).hasSize(1);
  }

  @Test
  void moreThanOneReplicaTurnsLeaderElectionOn() {
    Rendered two = helm.template("--set", "replicas=2");
    Deployment operator = two.get(Deployment.class, "semisup", "semisup-operator");
    assertThat(env(operator.getSpec().getTemplate().getSpec().getContainers().get(0))
        .get("LEADER_ELECTION_ENABLED").getValue()).isEqualTo("true");
    assertThat(operator.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    two.get(Role.class, "semisup", "semisup-operator-leader-election");
    two.get(RoleBinding.class, "semisup", "semisup-operator-leader-election");
  }

  @Test
  void allOptionsReachTheObjects() {
    Deployment operator = allOptions.get(Deployment.class, "semisup", "ml-semisup-operator");
    PodSpec pod = operator.getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);
    Map<String, EnvVar> env = env(container);
    assertThat(env.get("WATCH_NAMESPACES").getValue()).isEqualTo("team-a,team-b");
    assertThat(env.get("LEADER_ELECTION_ENABLED").getValue()).isEqualTo("true");
    assertThat(env.get("HTTP_PORT").getValue()).isEqualTo("9090");
    assertThat(env.get("LOG_FORMAT").getValue()).isEqualTo("json");
    assertThat(env.get("LOG_LEVEL").getValue()).isEqualTo("DEBUG");
    assertThat(env.get("PROGRESS_INTERVAL_SECONDS").getValue()).isEqualTo("5");
    assertThat(env.get("RECONCILE_THREADS").getValue()).isEqualTo("4");
    assertThat(env.get("TZ").getValue()).isEqualTo("UTC");
    assertThat(env.get("ALLOWED_IMAGES").getValue()).isEqualTo("registry.example.com/semisup/semisup-worker:*");
    assertThat(env.get("TRAINER_IMAGE").getValue()).isEqualTo("registry.example.com/semisup/semisup-trainer:2.7.1-cu128");
    assertThat(env.get("ALLOWED_SERVICE_ACCOUNTS").getValue()).isEqualTo("semisup-worker,semisup-gpu-worker");
    assertThat(env.get("ALLOWED_ENDPOINTS").getValue()).isEqualTo("https://s3.example.com");
    assertThat(container.getImage()).isEqualTo("registry.example.com/semisup/semisup-operator@sha256:"
        + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assertThat(container.getImagePullPolicy()).isEqualTo("Always");
    assertProbesOnHttpPort(container, 9090);
    assertThat(container.getLivenessProbe().getFailureThreshold()).isEqualTo(4);
    assertThat(operator.getSpec().getReplicas()).isEqualTo(2);
    assertThat(pod.getServiceAccountName()).isEqualTo("ml-semisup-controller");
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(pod.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("registry-credentials");
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(pod.getAffinity().getPodAntiAffinity()).isNotNull();
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(45L);
    assertThat(operator.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("example.com/cost-center", "research");
    assertThat(operator.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("example.com/team", "ml-platform");
    assertThat(allOptions.get(ServiceAccount.class, "semisup", "ml-semisup-controller").getMetadata()
        .getAnnotations()).containsEntry("example.com/owner", "ml-platform");
    for (String namespace : List.of("team-a", "team-b", "team-c")) {
      ServiceAccount worker = allOptions.get(ServiceAccount.class, namespace, "semisup-worker");
      assertThat(worker.getMetadata().getAnnotations()).containsKey("eks.amazonaws.com/role-arn");
    }
    assertThat(allOptions.find(ServiceAccount.class, "semisup", "semisup-worker"))
        .as("with watchNamespaces, workers live there, not in the release namespace").isEmpty();
    Service metrics = allOptions.get(Service.class, "semisup", "ml-semisup-operator-metrics");
    assertThat(metrics.getSpec().getPorts().get(0).getPort()).isEqualTo(9090);
    assertThat(metrics.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true");
    GenericKubernetesResource monitor = allOptions.generic("ServiceMonitor").get(0);
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
  }

  @Test
  void minioRunsWithGeneratedCredentialsInEveryRunNamespace() {
    Deployment minio = allOptions.get(Deployment.class, "semisup", "ml-semisup-minio");
    PodSpec pod = minio.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().get(0).getImage()).startsWith("quay.io/minio/minio:RELEASE.");
    assertThat(minio.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    String claim = pod.getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
        .findFirst().orElseThrow().getPersistentVolumeClaim().getClaimName();
    PersistentVolumeClaim pvc = allOptions.get(PersistentVolumeClaim.class, "semisup", claim);
    assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("50Gi");
    assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("standard");
    assertThat(pod.getContainers().get(0).getEnv()).filteredOn(e -> e.getName().startsWith("MINIO_ROOT_"))
        .hasSize(2)
        .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("ml-semisup-minio-root"));
    Secret root = allOptions.get(Secret.class, "semisup", "ml-semisup-minio-root");
    assertThat(allOptions.get(Service.class, "semisup", "ml-semisup-minio").getSpec().getPorts())
        .anySatisfy(p -> assertThat(p.getPort()).isEqualTo(9000));

    // The root credentials stay in the release namespace; run namespaces get the bucket's user.
    assertThat(allOptions.all(Secret.class)).filteredOn(s -> s.getMetadata().getName().equals("ml-semisup-minio-root"))
        .extracting(s -> s.getMetadata().getNamespace()).containsExactly("semisup");
    List<Secret> secrets = allOptions.all(Secret.class).stream()
        .filter(s -> s.getMetadata().getName().equals("ml-store-credentials")).toList();
    assertThat(secrets).extracting(s -> s.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("semisup", "team-a", "team-b", "team-c");
    assertThat(secrets.get(0).getData()).isNotEqualTo(root.getData());
    for (Secret secret : secrets) {
      assertThat(secret.getMetadata().getName()).isEqualTo("ml-store-credentials");
      // The keys the operator's Jobs read (secretKeyRef) and the operator uses itself.
      assertThat(secret.getData()).containsOnlyKeys(WorkerContract.SECRET_ACCESS_KEY, WorkerContract.SECRET_SECRET_KEY)
          .isEqualTo(secrets.get(0).getData());
      assertThat(secret.getData().values()).allSatisfy(v -> assertThat(v).isNotBlank());
    }

    Job bucket = allOptions.all(Job.class).stream().filter(j -> j.getMetadata().getName().contains("bucket"))
        .findFirst().orElseThrow();
    assertThat(bucket.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "post-install,post-upgrade");
    Map<String, EnvVar> env = env(bucket.getSpec().getTemplate().getSpec().getContainers().get(0));
    assertThat(env.get("BUCKET").getValue()).isEqualTo("ml-runs");
    assertThat(env.get("ENDPOINT").getValue()).isEqualTo("http://ml-semisup-minio.semisup.svc:9000");
    assertThat(bucket.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .startsWith("quay.io/minio/mc:RELEASE.");
  }

  @Test
  void notesTellTheNextCommands() {
    String notes = helm.notes("--set", "minio.enabled=true");
    assertThat(notes)
        .contains("kubectl -n semisup rollout status deployment/semisup-operator")
        .contains("scripts/upload-fashion-mnist.sh --namespace semisup --base semisup\n")
        .contains("kubectl -n semisup apply -f examples/fashion-mnist-cluster.yaml")
        .contains("kubectl -n semisup get ssr -w")
        .contains("semisup.dev/retry=$(date +%s) --overwrite")
        .contains("spec.storage.credentialsSecret: semisup-minio")
        .contains("MinIO is at http://semisup-minio.semisup.svc:9000")
        .contains("kubectl apply --server-side -f helm/semisup-operator/crds/")
        .as("the example's storage fits this release as it is").doesNotContain("first set spec.storage");
    String renamed = helm.notes("-f", Repo.chart().resolve("ci/all-options-values.yaml").toString());
    assertThat(renamed)
        .contains("Watching: team-a, team-b")
        .contains("scripts/upload-fashion-mnist.sh --namespace semisup --base ml-semisup --secret ml-store-credentials --bucket ml-runs")
        .contains("first set spec.storage in the file: endpoint http://ml-semisup-minio.semisup.svc:9000")
        .contains("kubectl -n team-a apply -f examples/fashion-mnist-cluster.yaml");
    String noMinio = helm.notes("--set", "watchNamespaces={team-a,team-b}");
    assertThat(noMinio)
        .contains("kubectl -n team-a create secret generic semisup-store")
        .contains("kubectl -n team-a get ssr -w")
        .doesNotContain("MinIO is at");
  }

  @Test
  void everyValueIsInTheSchemaAndSetByTheAllOptionsFile() throws IOException {
    ObjectMapper yaml = new YAMLMapper();
    JsonNode values = yaml.readTree(Repo.chart().resolve("values.yaml").toFile());
    JsonNode all = yaml.readTree(Repo.chart().resolve("ci/all-options-values.yaml").toFile());
    JsonNode schema = new ObjectMapper().readTree(Repo.chart().resolve("values.schema.json").toFile());
    List<String> paths = new ArrayList<>();
    collectPaths("", values, paths);
    assertThat(paths).hasSizeGreaterThan(40);
    for (String path : paths) {
      JsonNode node = schema;
      for (String key : path.substring(1).split("\\.")) {
        node = node.path("properties").path(key);
      }
      assertThat(node.isMissingNode()).as("values.schema.json describes %s", path).isFalse();
      assertThat(node.has("type") || node.has("oneOf")).as("values.schema.json gives %s a type", path).isTrue();
      assertThat(all.at(path.replace('.', '/')).isMissingNode())
          .as("ci/all-options-values.yaml sets %s", path).isFalse();
    }
    assertThat(schema.path("additionalProperties").asBoolean(true))
        .as("unknown top-level values are refused").isFalse();
  }

  @Test
  void valuesOutsideTheSchemaAreRefused() {
    assertRefused("replicas: Must be greater than or equal to 1", "--set", "replicas=0");
    assertRefused("Additional property replica is not allowed", "--set", "replica=2");
    assertRefused("operator.logFormat", "--set", "operator.logFormat=xml");
    assertRefused("watchNamespaces.0", "--set", "watchNamespaces={Team_A}");
    assertRefused("metrics.serviceMonitor.enabled needs metrics.service.enabled",
        "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.service.enabled=false");
  }

  private static void assertRefused(String expectedMessage, String... args) {
    Helm.Result result = helm.tryTemplate(args);
    assertThat(result.exitCode()).as("helm template %s must fail", String.join(" ", args)).isNotZero();
    assertThat(result.output()).contains(expectedMessage);
  }

  private static void collectPaths(String prefix, JsonNode node, List<String> out) {
    if (node.isObject() && node.size() > 0 && !isFreeForm(prefix)) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        collectPaths(prefix + "." + field.getKey(), field.getValue(), out);
      }
    } else {
      out.add(prefix);
    }
  }

  /** Maps whose keys are Kubernetes' (resources), not the chart's. */
  private static boolean isFreeForm(String path) {
    return path.endsWith(".requests") || path.endsWith(".limits");
  }

  private static void assertProbesOnHttpPort(Container container, int port) {
    assertThat(container.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(port);
    });
    Probe liveness = container.getLivenessProbe();
    Probe readiness = container.getReadinessProbe();
    assertThat(liveness.getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(liveness.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(readiness.getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(readiness.getHttpGet().getPort().getStrVal()).isEqualTo("http");
  }

  private static Map<String, EnvVar> env(Container container) {
    Map<String, EnvVar> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      if (env.put(var.getName(), var) != null) {
        fail("environment variable " + var.getName() + " set twice in " + container.getName());
      }
    }
    return env;
  }

  private static List<PodSpec> podSpecs(Rendered rendered) {
    List<PodSpec> pods = new ArrayList<>();
    rendered.all(Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
    rendered.all(Job.class).forEach(j -> pods.add(j.getSpec().getTemplate().getSpec()));
    return pods;
  }

  private static <T> java.util.stream.Collector<T, ?, Set<T>> toSet() {
    return java.util.stream.Collectors.toSet();
  }
}
