package dev.semisup.operator.testing;

import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.operator.OperatorMain;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Fabric8's mock API server in CRUD mode with the SemiSupervisedRun CRD registered (so status is
 * a subresource), a client for the test, one with the operator's User-Agent, and the parts of the
 * Job controller and kubelet tests play: finishing Jobs and leaving failed pods behind.
 */
public final class MockCluster implements AutoCloseable {

  public static final String CRD = "/META-INF/fabric8/semisupervisedruns.semisup.dev-v1.yml";
  public static final String TEST_USER_AGENT = "semisup-test";
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private static final String RULES_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

  /** MockWebServer logs every request through java.util.logging at INFO; held so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final List<RecordedRequest> requests = new ArrayList<>();
  private volatile StatusWriteHold statusWriteHold;
  private volatile Function<String, List<ResourceRule>> grantedRules = namespace -> List.of();

  public MockCluster() {
    // CRUD for everything, plus the authorization API the CRUD dispatcher lacks: leader election
    // asks for a SelfSubjectRulesReview at start, answered from the rules a test grants.
    Map<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>> canned =
        new HashMap<>();
    server = new KubernetesMockServer(new Context(), new MockWebServer(), canned,
        new io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher(canned) {
          @Override
          public io.fabric8.mockwebserver.http.MockResponse dispatch(RecordedRequest request) {
            if ("POST".equals(request.getMethod()) && RULES_REVIEWS.equals(request.getPath())) {
              return rulesReview(request);
            }
            StatusWriteHold hold = statusWriteHold;
            io.fabric8.mockwebserver.http.MockResponse held = hold == null ? null : hold.intercept(request);
            if (held != null) {
              return held;
            }
            if ("PUT".equals(request.getMethod()) && request.getPath().endsWith("/status")) {
              synchronized (this) {
                return staleResourceVersion(request).orElseGet(() -> super.dispatch(request));
              }
            }
            return super.dispatch(request);
          }

          /**
           * The CRUD dispatcher compares a status write's resourceVersion with the stored object's
           * own copy, so it never refuses one; the API server answers 409 to a stale one.
           */
          private Optional<io.fabric8.mockwebserver.http.MockResponse> staleResourceVersion(RecordedRequest request) {
            String written = resourceVersion(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
            String objectPath = request.getPath().substring(0, request.getPath().length() - "/status".length());
            io.fabric8.mockwebserver.http.MockResponse stored = super.dispatch(new RecordedRequest(
                "HTTP/1.1", io.fabric8.mockwebserver.dsl.HttpMethod.GET, objectPath, request.getHeaders(),
                new io.fabric8.mockwebserver.http.Buffer()));
            if (written.isEmpty() || !stored.getStatus().contains(" 200")) {
              return Optional.empty();
            }
            String current = resourceVersion(new String(stored.getBody().getBytes(), StandardCharsets.UTF_8));
            if (written.equals(current)) {
              return Optional.empty();
            }
            return Optional.of(new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(409).setBody(
                client.getKubernetesSerialization().asJson(new io.fabric8.kubernetes.api.model.StatusBuilder()
                    .withStatus("Failure").withCode(409).withReason("Conflict")
                    .withMessage("the object has been modified; please apply your changes to the latest version"
                        + " and try again").build())));
          }
        }, false);
    server.init();
    client = clientWithUserAgent(TEST_USER_AGENT);
    try (InputStream crd = MockCluster.class.getResourceAsStream(CRD)) {
      if (crd == null) {
        throw new IllegalStateException(CRD + " is not on the classpath: build the crds module first");
      }
      client.apiextensions().v1().customResourceDefinitions()
          .resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String resourceVersion(String json) {
    try {
      return JSON.readTree(json).path("metadata").path("resourceVersion").asText();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /**
   * What a SelfSubjectRulesReview answers for a namespace, as the API server does: every rule
   * bound to the caller there, resourceNames included. By default nothing is granted, so a test of
   * leader election must grant what the Helm chart grants (the mock must not be kinder than RBAC).
   */
  public void grantRules(Function<String, List<ResourceRule>> rulesByNamespace) {
    grantedRules = rulesByNamespace;
  }

  private io.fabric8.mockwebserver.http.MockResponse rulesReview(RecordedRequest request) {
    SelfSubjectRulesReview review = client.getKubernetesSerialization()
        .unmarshal(request.getUtf8Body(), SelfSubjectRulesReview.class);
    String namespace = review.getSpec() == null ? null : review.getSpec().getNamespace();
    review.setStatus(new SubjectRulesReviewStatusBuilder().withIncomplete(false)
        .withResourceRules(grantedRules.apply(namespace)).build());
    return new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(201)
        .setBody(client.getKubernetesSerialization().asJson(review));
  }

  /** Every Job created in the namespace is refused as the API server refuses an invalid object. */
  public void rejectJobsIn(String namespace, String message) {
    server.expect().post().withPath("/apis/batch/v1/namespaces/" + namespace + "/jobs")
        .andReturn(422, new io.fabric8.kubernetes.api.model.StatusBuilder().withStatus("Failure").withCode(422)
            .withReason("Invalid").withMessage(message).build())
        .always();
  }

  public KubernetesClient client() {
    return client;
  }

  /** The API server's address, for a client in another process. */
  public String masterUrl() {
    return baseConfig().getMasterUrl();
  }

  /** After {@code job} is created, the run's next status write is never answered (see {@link StatusWriteHold}). */
  public StatusWriteHold holdStatusWriteAfterCreateOf(String namespace, String run, String job) {
    StatusWriteHold hold = new StatusWriteHold(namespace, run, job);
    statusWriteHold = hold;
    return hold;
  }

  /** A new client of this server whose requests carry the operator's User-Agent. */
  public KubernetesClient operatorClient() {
    return new KubernetesClientBuilder().withConfig(OperatorMain.withUserAgent(baseConfig())).build();
  }

  public KubernetesClient clientWithUserAgent(String userAgent) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(baseConfig()).withUserAgent(userAgent).build()).build();
  }

  private Config baseConfig() {
    try (KubernetesClient c = server.createClient()) {
      return new ConfigBuilder(c.getConfiguration()).withRequestTimeout(10_000).build();
    }
  }

  public void credentialsSecret(String namespace, String name, String accessKey, String secretKey) {
    client.secrets().inNamespace(namespace).resource(new SecretBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withStringData(Map.of("accessKey", accessKey, "secretKey", secretKey)).build()).create();
  }

  public SemiSupervisedRun create(SemiSupervisedRun run) {
    return client.resource(run).create();
  }

  public SemiSupervisedRun get(String namespace, String name) {
    return client.resources(SemiSupervisedRun.class).inNamespace(namespace).withName(name).get();
  }

  public SemiSupervisedRun edit(String namespace, String name, UnaryOperator<SemiSupervisedRun> change) {
    return client.resources(SemiSupervisedRun.class).inNamespace(namespace).withName(name).edit(change);
  }

  public List<Job> jobs(String namespace, String run) {
    return client.batch().v1().jobs().inNamespace(namespace).withLabel("semisup.dev/run", run).list().getItems();
  }

  public Job job(String namespace, String name) {
    return client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
  }

  /** What the Job controller writes when every pod (every index, for infer) succeeded. */
  public Job completeJob(String namespace, String name) {
    return client.batch().v1().jobs().inNamespace(namespace).withName(name).editStatus(job -> {
      if (job.getStatus() == null) {
        job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatus());
      }
      int completions = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
      job.getStatus().setActive(0);
      job.getStatus().setSucceeded(completions);
      if ("Indexed".equals(job.getSpec().getCompletionMode())) {
        job.getStatus().setCompletedIndexes(completions == 1 ? "0" : "0-" + (completions - 1));
      }
      job.getStatus().setCompletionTime(java.time.Instant.now().toString());
      job.getStatus().getConditions().add(new JobConditionBuilder().withType("Complete").withStatus("True")
          .withReason("CompletionsReached").withMessage("Reached expected number of succeeded pods").build());
      return job;
    });
  }

  /** A Job that ran out of retries; with a message, also the failed pod the kubelet leaves. */
  public Job failJob(String namespace, String name, String terminationMessage) {
    return failJob(namespace, name, "BackoffLimitExceeded", "Job has reached the specified backoff limit",
        terminationMessage);
  }

  /**
   * A Job the Job controller failed, with its documented reasons: BackoffLimitExceeded,
   * DeadlineExceeded (activeDeadlineSeconds), FailedIndexes (an Indexed Job with a per-index
   * limit), PodFailurePolicy (a FailJob rule, e.g. exit code 2).
   */
  public Job failJob(String namespace, String name, String reason, String message, String terminationMessage) {
    Job failed = client.batch().v1().jobs().inNamespace(namespace).withName(name).editStatus(job -> {
      if (job.getStatus() == null) {
        job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatus());
      }
      job.getStatus().setActive(0);
      Integer limit = job.getSpec().getBackoffLimit() != null ? job.getSpec().getBackoffLimit()
          : job.getSpec().getBackoffLimitPerIndex();
      job.getStatus().setFailed((limit == null ? 0 : limit) + 1);
      if ("FailedIndexes".equals(reason)) {
        job.getStatus().setFailedIndexes("1");
      }
      job.getStatus().getConditions().add(new JobConditionBuilder().withType("Failed").withStatus("True")
          .withReason(reason).withMessage(message).build());
      return job;
    });
    if (terminationMessage != null) {
      client.pods().inNamespace(namespace).resource(new PodBuilder()
          .withNewMetadata().withName(name + "-x7k2p").withNamespace(namespace)
            .withLabels(podLabels(namespace, name)).endMetadata()
          .withNewSpec().addNewContainer().withName("worker").withImage("w").endContainer().endSpec()
          .withNewStatus().withPhase("Failed").withContainerStatuses(new ContainerStatusBuilder().withName("worker")
              .withNewState().withNewTerminated().withExitCode(1).withMessage(terminationMessage).endTerminated()
              .endState().build()).endStatus()
          .build()).create();
    }
    return failed;
  }

  /**
   * A Job its FailJob rule failed because an init container exited 2, and the pod the kubelet
   * leaves: that init container terminated with its message, the pod's containers never started.
   */
  public Job failJobAtInitContainer(String namespace, String name, String initContainer, String terminationMessage) {
    String pod = name + "-x7k2p";
    Job failed = failJob(namespace, name, "PodFailurePolicy", "Container " + initContainer + " for pod " + namespace
        + "/" + pod + " failed with exit code 2 matching FailJob rule at index 0", null);
    client.pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(pod).withNamespace(namespace).withLabels(podLabels(namespace, name)).endMetadata()
        .withNewSpec().addNewInitContainer().withName(initContainer).withImage("w").endInitContainer()
          .addNewContainer().withName("trainer").withImage("t").endContainer().endSpec()
        .withNewStatus().withPhase("Failed")
          .withInitContainerStatuses(new ContainerStatusBuilder().withName(initContainer)
            .withNewState().withNewTerminated().withExitCode(2).withMessage(terminationMessage).endTerminated()
            .endState().build())
          .withContainerStatuses(new ContainerStatusBuilder().withName("trainer")
            .withNewState().withNewWaiting().withReason("PodInitializing").endWaiting().endState().build())
        .endStatus()
        .build()).create();
    return failed;
  }

  /** What the kubelet writes on a pod whose init container's image it cannot pull: the others wait behind it. */
  public void imagePullFailingInitContainer(String namespace, String job, String image, String message) {
    client.pods().inNamespace(namespace).resource(podOf(namespace, job)
        .withNewStatus().withPhase("Pending")
          .withInitContainerStatuses(new ContainerStatusBuilder().withName("claim").withImage(image).withReady(false)
            .withRestartCount(0).withNewState().withNewWaiting().withReason("ImagePullBackOff").withMessage(message)
            .endWaiting().endState().build())
          .withContainerStatuses(new ContainerStatusBuilder().withName("worker").withImage("t").withReady(false)
            .withRestartCount(0).withNewState().withNewWaiting().withReason("PodInitializing").endWaiting().endState()
            .build())
        .endStatus()
        .build()).create();
  }

  /** What the scheduler writes on a pod no node can take. */
  public void unschedulablePod(String namespace, String job, String message) {
    client.pods().inNamespace(namespace).resource(podOf(namespace, job)
        .withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
          .withReason("Unschedulable").withMessage(message).endCondition().endStatus()
        .build()).create();
  }

  /** What the kubelet writes on a pod whose image it cannot pull. */
  public void imagePullFailingPod(String namespace, String job, String image, String message) {
    client.pods().inNamespace(namespace).resource(podOf(namespace, job)
        .withNewStatus().withPhase("Pending").withContainerStatuses(new ContainerStatusBuilder().withName("worker")
          .withImage(image).withReady(false).withRestartCount(0)
          .withNewState().withNewWaiting().withReason("ImagePullBackOff").withMessage(message).endWaiting().endState()
          .build()).endStatus()
        .build()).create();
  }

  private PodBuilder podOf(String namespace, String job) {
    return new PodBuilder()
        .withNewMetadata().withName(job + "-p" + Math.abs(job.hashCode() % 1000)).withNamespace(namespace)
          .withLabels(podLabels(namespace, job)).endMetadata()
        .withNewSpec().addNewContainer().withName("worker").withImage("w").endContainer().endSpec();
  }

  /** What the Job controller puts on a Job's pods: the template's labels and the job-name ones. */
  private Map<String, String> podLabels(String namespace, String job) {
    Map<String, String> labels = new HashMap<>();
    Job owner = job(namespace, job);
    if (owner != null && owner.getSpec().getTemplate().getMetadata() != null
        && owner.getSpec().getTemplate().getMetadata().getLabels() != null) {
      labels.putAll(owner.getSpec().getTemplate().getMetadata().getLabels());
    }
    labels.put("job-name", job);
    labels.put("batch.kubernetes.io/job-name", job);
    return labels;
  }

  /** Every request the server received so far (the log is drained into this list). */
  public synchronized List<RecordedRequest> requests() {
    try {
      RecordedRequest request;
      while ((request = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
        requests.add(request);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return List.copyOf(requests);
  }

  /** (verb, group/resource[/subresource]) of the requests sent with the given User-Agent. */
  public Set<String> apiCalls(String userAgentPrefix) {
    Set<String> calls = new TreeSet<>();
    for (RecordedRequest request : requests()) {
      String agent = request.getHeader("User-Agent");
      if (agent != null && agent.startsWith(userAgentPrefix)) {
        ApiCall.of(request.getMethod(), request.getPath()).ifPresent(call -> calls.add(call.toString()));
      }
    }
    return calls;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
