package dev.semisup.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the Job controller and the kubelet for the Jobs the operator creates: runs each pod through
 * a {@link PodRunner} (in this JVM, or as a real container) with exactly the pod's template and
 * environment (secretKeyRefs resolved
 * from the Secret, JOB_COMPLETION_INDEX and the host name {@code <job>-<index>} for Indexed Jobs,
 * one call per index; the names of a pod group's pods in their subdomain); a pod's init
 * containers run first, one at a time and in order, and the first that fails fails the pod, whose
 * container then never starts. A failed pod fails the Job at once when a FailJob rule of the Job's
 * podFailurePolicy matches its exit code (the rule's containerName, init containers included), else
 * it is retried up to the Job's backoffLimit. Failed pods stay with their containers' statuses and
 * termination message, and the Job's status (succeeded, failed, completedIndexes, Complete/Failed
 * conditions) is written as the Job controller would.
 */
public final class TestKubelet implements AutoCloseable {

  private static final String COMPLETION_INDEX_REF =
      "metadata.annotations['batch.kubernetes.io/job-completion-index']";

  private static final Logger LOG = LoggerFactory.getLogger(TestKubelet.class);

  private final KubernetesClient client;
  private final PodRunner runner;
  private final Path scratch;
  private final ExecutorService pods = Executors.newFixedThreadPool(2, r -> {
    Thread thread = new Thread(r, "test-kubelet");
    thread.setDaemon(true);
    return thread;
  });
  /**
   * Every pod but a pod group's runs on this one thread, one at a time (two cores; one JVM stands in for every node).
   * One thread, not one per pod: PyTorch's grad mode is per thread and DJL sets it on the thread
   * that loads the engine, as the main thread of a real pod would.
   */
  private final ExecutorService node = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "test-node");
    thread.setDaemon(true);
    return thread;
  });
  /** The pods of a pod group (an Indexed Job of parallel pods in a subdomain): each on a thread of its own. */
  private final ExecutorService groupPods = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "test-group-node");
    thread.setDaemon(true);
    return thread;
  });
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final AtomicInteger podsRun = new AtomicInteger();
  private final SharedIndexInformer<Job> informer;

  public TestKubelet(KubernetesClient client, String namespace, PodRunner runner) throws IOException {
    this.client = client;
    this.runner = runner;
    this.scratch = Files.createTempDirectory("test-kubelet");
    this.informer = client.batch().v1().jobs().inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Job job) {
        admit(job);
      }

      @Override
      public void onUpdate(Job before, Job after) {
        admit(after);
      }

      @Override
      public void onDelete(Job job, boolean unknown) {
      }
    });
  }

  /** Pods (one per index and attempt) run so far. */
  public int podsRun() {
    return podsRun.get();
  }

  private void admit(Job job) {
    if (finished(job.getStatus()) || !started.add(job.getMetadata().getUid())) {
      return;
    }
    pods.execute(() -> {
      try {
        runJob(job);
      } catch (RuntimeException | IOException e) {
        LOG.error("test kubelet could not run Job {}", job.getMetadata().getName(), e);
      }
    });
  }

  private static boolean finished(JobStatus status) {
    return status != null && status.getConditions() != null && status.getConditions().stream()
        .anyMatch(c -> "True".equals(c.getStatus()) && ("Complete".equals(c.getType()) || "Failed".equals(c.getType())));
  }

  private void runJob(Job job) throws IOException {
    String namespace = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName();
    PodSpec template = job.getSpec().getTemplate().getSpec();
    boolean indexed = "Indexed".equals(job.getSpec().getCompletionMode());
    int completions = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
    int parallelism = job.getSpec().getParallelism() == null ? 1 : job.getSpec().getParallelism();
    // Every container's environment, read before any pod starts (a missing Secret starts none).
    Map<String, Map<String, String>> envs = new LinkedHashMap<>();
    for (Container container : containers(template)) {
      envs.put(container.getName(), environment(namespace, container.getEnv()));
    }
    JobRun run = new JobRun(namespace, name, template, envs, job.getSpec().getPodFailurePolicy(),
        indexed, job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit(),
        indexed ? clusterHosts(namespace, name, job.getSpec().getTemplate().getMetadata(), template, completions)
            : List.of());
    status(namespace, name, s -> s.setActive(indexed ? Math.min(parallelism, completions) : 1));
    boolean complete;
    if (indexed && parallelism > 1 && template.getSubdomain() != null) {
      // A pod group (pods in a subdomain, which find each other there): its pods wait for each
      // other, so they all run at once, as on nodes of their own; other Jobs' pods take turns.
      List<Future<Boolean>> pods = new ArrayList<>();
      for (int index = 0; index < completions; index++) {
        int own = index;
        pods.add(groupPods.submit(() -> runIndex(run, own, runner)));
      }
      complete = true;
      for (Future<Boolean> pod : pods) {
        try {
          complete &= pod.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (ExecutionException e) {
          throw new IllegalStateException("pod of " + name + " crashed", e.getCause());
        }
      }
    } else {
      complete = true;
      for (int index = 0; index < completions && complete; index++) {
        complete = runIndex(run, index, (pod, out, err) -> runPod(name, pod, out, err));
      }
    }
    if (!complete) {
      return;
    }
    status(namespace, name, s -> {
      s.setActive(0);
      s.setCompletionTime(Instant.now().toString());
      s.getConditions().add(new JobConditionBuilder().withType("Complete").withStatus("True")
          .withReason("CompletionsReached").withMessage("Reached expected number of succeeded pods")
          .withLastTransitionTime(Instant.now().toString()).build());
    });
  }

  /** One Job as it runs: what every pod gets, and what its pods did so far. */
  private record JobRun(String namespace, String name, PodSpec template, Map<String, Map<String, String>> envs,
      PodFailurePolicy podFailurePolicy, boolean indexed, int backoffLimit, List<String> clusterHosts,
      AtomicInteger failures, List<Integer> done, AtomicBoolean failed) {

    JobRun(String namespace, String name, PodSpec template, Map<String, Map<String, String>> envs,
        PodFailurePolicy podFailurePolicy, boolean indexed, int backoffLimit, List<String> clusterHosts) {
      this(namespace, name, template, envs, podFailurePolicy, indexed, backoffLimit, clusterHosts, new AtomicInteger(),
          Collections.synchronizedList(new ArrayList<>()), new AtomicBoolean());
    }
  }

  /** How a pod ended: the container that failed (or the last, with 0), its exit code and termination message. */
  private record Exit(String container, boolean initContainer, int code, String message) {
  }

  /**
   * Runs the pods of one completion index until one succeeds or the Job fails; returns whether it
   * succeeded.
   */
  private boolean runIndex(JobRun run, int index, PodRunner start) throws IOException {
    while (!run.failed().get()) {
      PodSpec spec = run.template();
      if (run.indexed()) {
        // The Job controller names an Indexed Job's pod host <job>-<index>.
        spec = new PodSpecBuilder(spec).withHostname(run.name() + "-" + index).build();
      }
      // Named as the Job controller's pods are not (it adds a random suffix): by Job, index and
      // failures so far, so a test can name the pod it wants to kill.
      String podName = run.name() + "-" + index + "-" + run.failures().get();
      podsRun.incrementAndGet();
      Exit exit = runContainers(run, podName, spec, run.indexed() ? index : null, start);
      if (exit.code() == 0) {
        run.done().add(index);
        int succeeded = run.done().size();
        String completed = indexes(new ArrayList<>(run.done()));
        status(run.namespace(), run.name(), s -> {
          s.setSucceeded(succeeded);
          if (run.indexed()) {
            s.setCompletedIndexes(completed);
          }
        });
        return true;
      }
      int failed = run.failures().incrementAndGet();
      failedPod(run.namespace(), run.name(), podName, run.template(), exit);
      status(run.namespace(), run.name(), s -> s.setFailed(failed));
      Optional<String> failJob = failJobRule(run.podFailurePolicy(), exit, run.namespace() + "/" + podName);
      if ((failJob.isPresent() || failed > run.backoffLimit()) && run.failed().compareAndSet(false, true)) {
        // The other pods of a group run on until they end; the Job is failed already.
        status(run.namespace(), run.name(), s -> {
          s.setActive(0);
          s.getConditions().add(new JobConditionBuilder().withType("Failed").withStatus("True")
              .withReason(failJob.isPresent() ? "PodFailurePolicy" : "BackoffLimitExceeded")
              .withMessage(failJob.orElse("Job has reached the specified backoff limit"))
              .withLastTransitionTime(Instant.now().toString()).build());
        });
      }
    }
    return false;
  }

  /** The pod's init containers in order, then its container; the first that fails ends the pod. */
  private Exit runContainers(JobRun run, String podName, PodSpec spec, Integer index, PodRunner start)
      throws IOException {
    int inits = spec.getInitContainers() == null ? 0 : spec.getInitContainers().size();
    List<Container> all = containers(spec);
    Exit exit = null;
    for (int i = 0; i < all.size(); i++) {
      Container container = all.get(i);
      boolean init = i < inits;
      Map<String, String> env = new LinkedHashMap<>(run.envs().get(container.getName()));
      if (index != null) {
        env.put("JOB_COMPLETION_INDEX", Integer.toString(index));
        for (String rank : completionIndexRefs(container.getEnv())) {
          env.put(rank, Integer.toString(index));
        }
      }
      PodSpec alone = new PodSpecBuilder(spec).withInitContainers(List.of()).withContainers(container).build();
      Path terminationLog = scratch.resolve(podName + "." + container.getName() + ".termination-log");
      Files.deleteIfExists(terminationLog);
      Files.createFile(terminationLog);
      StringWriter err = new StringWriter();
      int code;
      try (PrintWriter errWriter = new PrintWriter(err, true);
          PrintWriter out = new PrintWriter(new StringWriter(), true)) {
        code = start.run(new JobPod(podName, run.namespace(), alone, env, terminationLog, run.clusterHosts(), init),
            out, errWriter);
      } catch (RuntimeException e) {
        code = 1;
        err.append(e.toString());
      }
      String message = "";
      if (code != 0) {
        message = Files.readString(terminationLog, StandardCharsets.UTF_8);
        if (message.isBlank()) {
          // terminationMessagePolicy FallbackToLogsOnError: the tail of the log.
          String log = err.toString();
          message = log.length() > 2048 ? log.substring(log.length() - 2048) : log;
        }
      }
      exit = new Exit(container.getName(), init, code, message.strip());
      if (code != 0) {
        break;
      }
    }
    return exit;
  }

  /** The init containers in their order, then the containers. */
  private static List<Container> containers(PodSpec template) {
    List<Container> all = new ArrayList<>();
    if (template.getInitContainers() != null) {
      all.addAll(template.getInitContainers());
    }
    all.addAll(template.getContainers());
    return all;
  }

  /**
   * The message of the Job controller's Failed condition when a FailJob rule matches the failed
   * container's exit code (operator In or NotIn; no containerName matches every container).
   */
  private static Optional<String> failJobRule(PodFailurePolicy policy, Exit exit, String pod) {
    if (policy == null || policy.getRules() == null) {
      return Optional.empty();
    }
    for (int i = 0; i < policy.getRules().size(); i++) {
      PodFailurePolicyRule rule = policy.getRules().get(i);
      PodFailurePolicyOnExitCodesRequirement codes = rule.getOnExitCodes();
      if (!"FailJob".equals(rule.getAction()) || codes == null
          || (codes.getContainerName() != null && !codes.getContainerName().equals(exit.container()))) {
        continue;
      }
      boolean listed = codes.getValues().contains(exit.code());
      if ("In".equals(codes.getOperator()) ? listed : !listed) {
        return Optional.of("Container " + exit.container() + " for pod " + pod + " failed with exit code "
            + exit.code() + " matching FailJob rule at index " + i);
      }
    }
    return Optional.empty();
  }

  private int runPod(String job, JobPod pod, PrintWriter out, PrintWriter err) {
    try {
      return node.submit(() -> runner.run(pod, out, err)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (ExecutionException e) {
      err.println("pod of " + job + " crashed: " + e.getCause());
      return 1;
    }
  }

  /**
   * The host names cluster DNS answers for the pods of an Indexed Job in a subdomain: with a
   * headless Service of the subdomain's name selecting the Job's pods, pod {@code <job>-<i>} is
   * {@code <job>-<i>.<subdomain>} (and the same under {@code <namespace>.svc.cluster.local}).
   * Without that Service, none.
   */
  private List<String> clusterHosts(String namespace, String job, ObjectMeta podMeta,
      PodSpec template, int completions) {
    String subdomain = template.getSubdomain();
    if (subdomain == null || subdomain.isBlank()) {
      return List.of();
    }
    Service service = client.services().inNamespace(namespace).withName(subdomain).get();
    Map<String, String> labels = podMeta == null || podMeta.getLabels() == null ? Map.of() : podMeta.getLabels();
    if (service == null || !"None".equals(service.getSpec().getClusterIP()) || service.getSpec().getSelector() == null
        || !labels.entrySet().containsAll(service.getSpec().getSelector().entrySet())) {
      LOG.warn("Job {}: no headless Service {} selecting its pods: their host names do not resolve", job, subdomain);
      return List.of();
    }
    List<String> hosts = new ArrayList<>();
    for (int index = 0; index < completions; index++) {
      String host = job + "-" + index + "." + subdomain;
      hosts.add(host);
      hosts.add(host + "." + namespace + ".svc.cluster.local");
    }
    return hosts;
  }

  /** The variables whose value is the pod's completion index annotation (a pod group's NODE_RANK). */
  private static List<String> completionIndexRefs(List<EnvVar> vars) {
    return vars.stream()
        .filter(var -> var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null
            && COMPLETION_INDEX_REF.equals(var.getValueFrom().getFieldRef().getFieldPath()))
        .map(EnvVar::getName).toList();
  }

  private Map<String, String> environment(String namespace, List<EnvVar> vars) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : vars) {
      if (var.getValueFrom() == null) {
        env.put(var.getName(), var.getValue());
        continue;
      }
      if (completionIndexRefs(List.of(var)).size() == 1) {
        continue; // set per pod
      }
      SecretKeySelector ref = var.getValueFrom().getSecretKeyRef();
      if (ref == null) {
        throw new IllegalStateException("the test kubelet resolves secretKeyRef only, not " + var.getValueFrom());
      }
      Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
      if (secret == null) {
        throw new IllegalStateException("CreateContainerConfigError: secret " + ref.getName() + " not found");
      }
      String value = secret.getData() != null && secret.getData().containsKey(ref.getKey())
          ? new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8)
          : secret.getStringData().get(ref.getKey());
      env.put(var.getName(), value);
    }
    return env;
  }

  /**
   * The failed pod as the kubelet leaves it: the init containers before the failed one completed,
   * the failed one terminated with its message; after a failed init container the pod's container
   * never started (waiting, PodInitializing).
   */
  private void failedPod(String namespace, String job, String pod, PodSpec template, Exit exit) {
    List<ContainerStatus> inits = new ArrayList<>();
    boolean failedBefore = false;
    for (Container init : template.getInitContainers() == null ? List.<Container>of() : template.getInitContainers()) {
      if (failedBefore) {
        inits.add(waiting(init.getName(), "PodInitializing"));
      } else if (exit.initContainer() && init.getName().equals(exit.container())) {
        inits.add(terminated(init.getName(), exit.code(), exit.message()));
        failedBefore = true;
      } else {
        inits.add(terminated(init.getName(), 0, null));
      }
    }
    List<ContainerStatus> containers = template.getContainers().stream()
        .map(c -> exit.initContainer() ? waiting(c.getName(), "PodInitializing") : terminated(c.getName(), exit.code(),
            exit.message()))
        .toList();
    client.pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(pod).withNamespace(namespace)
          .withLabels(Map.of("job-name", job, "batch.kubernetes.io/job-name", job)).endMetadata()
        .withNewSpec().withInitContainers(template.getInitContainers()).withContainers(template.getContainers())
        .endSpec()
        .withNewStatus().withPhase("Failed").withInitContainerStatuses(inits).withContainerStatuses(containers)
        .endStatus()
        .build()).create();
  }

  private static ContainerStatus terminated(String container, int code, String message) {
    return new ContainerStatusBuilder().withName(container).withNewState().withNewTerminated().withExitCode(code)
        .withReason(code == 0 ? "Completed" : "Error").withMessage(message).endTerminated().endState().build();
  }

  private static ContainerStatus waiting(String container, String reason) {
    return new ContainerStatusBuilder().withName(container).withNewState().withNewWaiting().withReason(reason)
        .endWaiting().endState().build();
  }

  /** One writer at a time: a pod group's pods end on threads of their own, and a concurrent write gets 409. */
  private synchronized void status(String namespace, String name, java.util.function.Consumer<JobStatus> change) {
    client.batch().v1().jobs().inNamespace(namespace).withName(name).editStatus(job -> {
      if (job.getStatus() == null) {
        job.setStatus(new JobStatus());
      }
      change.accept(job.getStatus());
      return job;
    });
  }

  /** completedIndexes as the Job controller writes it: "0-2,5". */
  static String indexes(List<Integer> done) {
    List<Integer> sorted = done.stream().sorted().toList();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < sorted.size(); ) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
        j++;
      }
      sb.append(sb.length() == 0 ? "" : ",").append(sorted.get(i));
      if (j > i) {
        sb.append('-').append(sorted.get(j));
      }
      i = j + 1;
    }
    return sb.toString();
  }

  @Override
  public void close() throws InterruptedException {
    informer.close();
    node.shutdownNow();
    groupPods.shutdownNow();
    pods.shutdownNow();
    pods.awaitTermination(30, TimeUnit.SECONDS);
  }
}
