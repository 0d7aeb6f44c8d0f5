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
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * it is retried up to the Job's backoffLimit; activeDeadlineSeconds after its start the Job fails
 * too. Each pod is an object of the API server while it runs (phase Running, the template's labels,
 * the Job as its controller owner), and stays when it ends with its containers' statuses and
 * termination message; the Job's status (active, succeeded, failed, terminating, completedIndexes,
 * conditions) is written as the Job controller would.
 *
 * <p>A Job that fails ends the way the Job controller of Kubernetes 1.31 and later ends it (the
 * JobPodReplacementPolicy and JobManagedBy era, where the terminal condition waits for the pods;
 * {@code pkg/controller/job/job_controller.go}, {@code syncJob}, {@code deleteActivePods},
 * {@code trackJobStatusAndRemoveFinalizers}, {@code enactJobFinished}): it deletes the Job's still
 * running pods (each gets its deletion timestamp, the pod's terminationGracePeriodSeconds ahead)
 * and writes the interim condition FailureTarget with the failure's reason and message, active 0
 * and the deleted pods as terminating; the kubelet stops each deleted pod's container (SIGTERM,
 * SIGKILL after the grace period: {@link PodRunner#stop}) and records its exit code, the pod
 * counts as failed and goes from the API server; only when no pod is terminating any more is the
 * Failed condition written, with FailureTarget's reason and message. So an operator that acts on
 * Failed never sees a pod of the failed Job still running.
 */
public final class TestKubelet implements AutoCloseable {

  private static final String COMPLETION_INDEX_REF =
      "metadata.annotations['batch.kubernetes.io/job-completion-index']";
  private static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
  /** The Job controller's finalizer on each pod it creates, removed once it has counted the ended pod. */
  private static final String TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
  /** A pod template's terminationGracePeriodSeconds when it sets none. */
  private static final long DEFAULT_GRACE_SECONDS = 30;

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
  /** Stops the deleted pods of a failed Job, each on a thread of its own, as the kubelets of their nodes would. */
  private final ExecutorService stops = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "test-kubelet-stop");
    thread.setDaemon(true);
    return thread;
  });
  /** The Jobs' activeDeadlineSeconds. */
  private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "test-job-deadline");
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
    ObjectMeta podMeta = job.getSpec().getTemplate().getMetadata();
    JobRun run = new JobRun(namespace, name, job.getMetadata().getUid(),
        podMeta == null || podMeta.getLabels() == null ? Map.of() : podMeta.getLabels(), template, envs,
        job.getSpec().getPodFailurePolicy(), indexed,
        job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit(),
        indexed ? clusterHosts(namespace, name, podMeta, template, completions) : List.of(),
        Duration.ofSeconds(template.getTerminationGracePeriodSeconds() == null ? DEFAULT_GRACE_SECONDS
            : template.getTerminationGracePeriodSeconds()));
    status(namespace, name, s -> s.setActive(indexed ? Math.min(parallelism, completions) : 1));
    Long deadline = job.getSpec().getActiveDeadlineSeconds();
    if (deadline != null) {
      deadlines.schedule(() -> failJob(run, "DeadlineExceeded", "Job was active longer than specified deadline"),
          deadline, TimeUnit.SECONDS);
    }
    if (indexed && parallelism > 1 && template.getSubdomain() != null) {
      // A pod group (pods in a subdomain, which find each other there): its pods wait for each
      // other, so they all run at once, as on nodes of their own; other Jobs' pods take turns.
      for (int index = 0; index < completions; index++) {
        int own = index;
        groupPods.execute(() -> {
          try {
            if (runIndex(run, own, true) && run.done.size() == completions) {
              complete(run);
            }
          } catch (RuntimeException | IOException e) {
            LOG.error("test kubelet: pod {} of {} crashed", own, name, e);
          }
        });
      }
      return;
    }
    boolean complete = true;
    for (int index = 0; index < completions && complete; index++) {
      complete = runIndex(run, index, false);
    }
    if (complete) {
      complete(run);
    }
  }

  private void complete(JobRun run) {
    synchronized (run) {
      if (run.failed || run.complete) {
        return;
      }
      run.complete = true;
    }
    status(run.namespace, run.name, s -> {
      s.setActive(0);
      s.setCompletionTime(Instant.now().toString());
      s.getConditions().add(new JobConditionBuilder().withType("Complete").withStatus("True")
          .withReason("CompletionsReached").withMessage("Reached expected number of succeeded pods")
          .withLastTransitionTime(Instant.now().toString()).build());
    });
  }

  /** One Job as it runs: what every pod gets, what its pods did so far, and which run now. */
  private static final class JobRun {
    final String namespace;
    final String name;
    final String uid;
    final Map<String, String> podLabels;
    final PodSpec template;
    final Map<String, Map<String, String>> envs;
    final PodFailurePolicy podFailurePolicy;
    final boolean indexed;
    final int backoffLimit;
    final List<String> clusterHosts;
    final Duration grace;
    final AtomicInteger failures = new AtomicInteger();
    final List<Integer> done = Collections.synchronizedList(new ArrayList<>());
    /** The pods whose containers run (or are about to), by pod name. */
    final Map<String, ActivePod> active = new ConcurrentHashMap<>();
    final AtomicInteger terminating = new AtomicInteger();
    /** Guarded by this, as is adding to {@code active}: the Job failed (FailureTarget written) or completed. */
    boolean failed;
    boolean complete;
    /** The reason and message of the FailureTarget condition, which the Failed condition repeats. */
    volatile String failureReason;
    volatile String failureMessage;

    JobRun(String namespace, String name, String uid, Map<String, String> podLabels, PodSpec template,
        Map<String, Map<String, String>> envs, PodFailurePolicy podFailurePolicy, boolean indexed, int backoffLimit,
        List<String> clusterHosts, Duration grace) {
      this.namespace = namespace;
      this.name = name;
      this.uid = uid;
      this.podLabels = podLabels;
      this.template = template;
      this.envs = envs;
      this.podFailurePolicy = podFailurePolicy;
      this.indexed = indexed;
      this.backoffLimit = backoffLimit;
      this.clusterHosts = clusterHosts;
      this.grace = grace;
    }
  }

  /**
   * A pod while its containers run: which container runs, on which thread, and whether the Job
   * controller deleted it.
   */
  private static final class ActivePod {
    final String name;
    /** Guarded by this. */
    boolean deleted;
    JobPod container;
    Thread thread;
    /** Recorded once: by the thread that ran it, or by the SIGKILL of a container that ignored SIGTERM. */
    final AtomicBoolean ended = new AtomicBoolean();
    final CountDownLatch containerEnded = new CountDownLatch(1);

    ActivePod(String name) {
      this.name = name;
    }
  }

  /** How a pod ended: the container that failed (or the last, with 0), its exit code and termination message. */
  private record Exit(String container, boolean initContainer, int code, String message) {
  }

  /**
   * Runs the pods of one completion index until one succeeds or the Job fails; returns whether it
   * succeeded.
   */
  private boolean runIndex(JobRun run, int index, boolean ownThread) throws IOException {
    while (true) {
      PodSpec spec = run.template;
      if (run.indexed) {
        // The Job controller names an Indexed Job's pod host <job>-<index>.
        spec = new PodSpecBuilder(spec).withHostname(run.name + "-" + index).build();
      }
      // Named as the Job controller's pods are not (it adds a random suffix): by Job, index and
      // failures so far, so a test can name the pod it wants to kill.
      String podName = run.name + "-" + index + "-" + run.failures.get();
      ActivePod pod;
      synchronized (run) {
        // Made and registered at once: a failing Job either deletes this pod or never sees it start.
        if (run.failed) {
          return false;
        }
        pod = new ActivePod(podName);
        run.active.put(podName, pod);
        createPod(run, podName, spec, run.indexed ? index : null);
      }
      podsRun.incrementAndGet();
      Exit exit = runContainers(run, pod, spec, run.indexed ? index : null, ownThread);
      pod.containerEnded.countDown();
      if (!pod.ended.compareAndSet(false, true)) {
        return false; // the kubelet recorded its SIGKILL already
      }
      run.active.remove(podName);
      if (deleted(pod)) {
        terminated(run, podName, exit);
        return false;
      }
      if (exit.code() == 0) {
        run.done.add(index);
        endPod(run, podName, exit);
        int succeeded = run.done.size();
        String completed = indexes(new ArrayList<>(run.done));
        status(run.namespace, run.name, s -> {
          s.setSucceeded(succeeded);
          if (run.indexed) {
            s.setCompletedIndexes(completed);
          }
        });
        return true;
      }
      int failed = run.failures.incrementAndGet();
      endPod(run, podName, exit);
      status(run.namespace, run.name, s -> s.setFailed(failed));
      Optional<String> failJob = failJobRule(run.podFailurePolicy, exit, run.namespace + "/" + podName);
      if (failJob.isPresent()) {
        failJob(run, "PodFailurePolicy", failJob.get());
      } else if (failed > run.backoffLimit) {
        failJob(run, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
      }
    }
  }

  private static boolean deleted(ActivePod pod) {
    synchronized (pod) {
      return pod.deleted;
    }
  }

  /**
   * The Job controller's end of a failed Job: its active pods deleted (deletion timestamp, grace
   * period), FailureTarget written with active 0 and those pods terminating; each deleted pod's
   * container stopped; Failed written once none is terminating. Once per Job; never after Complete.
   */
  private void failJob(JobRun run, String reason, String message) {
    List<ActivePod> deleted;
    synchronized (run) {
      if (run.failed || run.complete) {
        return;
      }
      run.failed = true;
      run.failureReason = reason;
      run.failureMessage = message;
      deleted = new ArrayList<>(run.active.values());
      run.terminating.set(deleted.size());
    }
    for (ActivePod pod : deleted) {
      synchronized (pod) {
        pod.deleted = true;
      }
      // Its tracking finalizer keeps it, with a deletion timestamp, until the Job controller has counted it.
      client.pods().inNamespace(run.namespace).withName(pod.name).withGracePeriod(run.grace.toSeconds()).delete();
    }
    status(run.namespace, run.name, s -> {
      s.setActive(0);
      s.setTerminating(deleted.size());
      s.getConditions().add(condition("FailureTarget", reason, message));
    });
    if (deleted.isEmpty()) {
      status(run.namespace, run.name, s -> s.getConditions().add(condition("Failed", reason, message)));
      return;
    }
    for (ActivePod pod : deleted) {
      stops.execute(() -> stop(run, pod));
    }
  }

  /**
   * The kubelet's end of a deleted pod: SIGTERM to its running container, SIGKILL after the grace
   * period. A container in this JVM that does not end by then is recorded as killed (137) and left
   * running: a thread cannot be killed.
   */
  private void stop(JobRun run, ActivePod pod) {
    JobPod container;
    Thread thread;
    synchronized (pod) {
      container = pod.container;
      thread = pod.thread;
    }
    if (container != null) {
      runner.stop(container, thread, run.grace);
    }
    try {
      if (pod.containerEnded.await(run.grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return; // its own thread records the end
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (!pod.ended.compareAndSet(false, true)) {
      return;
    }
    LOG.warn("pod {} ignored SIGTERM for {}: recorded as killed, its thread left running", pod.name, run.grace);
    run.active.remove(pod.name);
    String name = container == null ? run.template.getContainers().get(0).getName() : container.container().getName();
    terminated(run, pod.name, new Exit(name, container != null && container.initContainer(), 137, ""));
  }

  /**
   * A deleted pod whose container ended: the kubelet records how (Failed unless it exited 0), the
   * Job controller counts it, removes its tracking finalizer and so the API server the pod; the
   * last one to end lets the Job controller write Failed.
   */
  private void terminated(JobRun run, String podName, Exit exit) {
    endPod(run, podName, exit);
    int failed = exit.code() == 0 ? run.failures.get() : run.failures.incrementAndGet();
    int terminating = run.terminating.decrementAndGet();
    status(run.namespace, run.name, s -> {
      s.setFailed(failed);
      s.setTerminating(terminating);
      if (terminating == 0) {
        s.getConditions().add(condition("Failed", run.failureReason, run.failureMessage));
      }
    });
  }

  private static JobCondition condition(String type, String reason, String message) {
    return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
        .withLastTransitionTime(Instant.now().toString()).build();
  }

  /**
   * The pod's init containers in order, then its container; the first that fails ends the pod, and
   * a pod the Job controller deleted starts no further container.
   */
  private Exit runContainers(JobRun run, ActivePod pod, PodSpec spec, Integer index, boolean ownThread)
      throws IOException {
    int inits = spec.getInitContainers() == null ? 0 : spec.getInitContainers().size();
    List<Container> all = containers(spec);
    Exit exit = null;
    for (int i = 0; i < all.size(); i++) {
      Container container = all.get(i);
      boolean init = i < inits;
      Map<String, String> env = new LinkedHashMap<>(run.envs.get(container.getName()));
      if (index != null) {
        env.put("JOB_COMPLETION_INDEX", Integer.toString(index));
        for (String rank : completionIndexRefs(container.getEnv())) {
          env.put(rank, Integer.toString(index));
        }
      }
      PodSpec alone = new PodSpecBuilder(spec).withInitContainers(List.of()).withContainers(container).build();
      Path terminationLog = scratch.resolve(pod.name + "." + container.getName() + ".termination-log");
      Files.deleteIfExists(terminationLog);
      Files.createFile(terminationLog);
      StringWriter err = new StringWriter();
      int code;
      try (PrintWriter errWriter = new PrintWriter(err, true);
          PrintWriter out = new PrintWriter(new StringWriter(), true)) {
        JobPod jobPod = new JobPod(pod.name, run.namespace, alone, env, terminationLog, run.clusterHosts, init);
        Callable<Integer> start = () -> {
          synchronized (pod) {
            if (pod.deleted) {
              return 137; // deleted before this container started: the kubelet starts no more
            }
            pod.container = jobPod;
            pod.thread = Thread.currentThread();
          }
          try {
            return runner.run(jobPod, out, errWriter);
          } finally {
            synchronized (pod) {
              pod.container = null;
              pod.thread = null;
            }
          }
        };
        code = ownThread ? start.call() : onNode(run.name, start, errWriter);
      } catch (Exception e) {
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

  /** Runs the container on the node's one thread, after the containers of other Jobs' pods queued there. */
  private int onNode(String job, Callable<Integer> container, PrintWriter err) {
    try {
      return node.submit(container).get();
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
   * The pod as the Job controller creates it and the kubelet starts it: the template's labels and
   * the Job's, the Job as its controller owner, the completion index of an Indexed Job's pod, phase
   * Running.
   */
  private void createPod(JobRun run, String pod, PodSpec spec, Integer index) {
    Map<String, String> labels = new LinkedHashMap<>(run.podLabels);
    labels.put("job-name", run.name);
    labels.put("batch.kubernetes.io/job-name", run.name);
    labels.put("controller-uid", run.uid);
    labels.put("batch.kubernetes.io/controller-uid", run.uid);
    Map<String, String> annotations = new LinkedHashMap<>();
    if (index != null) {
      labels.put(COMPLETION_INDEX, index.toString());
      annotations.put(COMPLETION_INDEX, index.toString());
    }
    client.pods().inNamespace(run.namespace).resource(new PodBuilder()
        .withNewMetadata().withName(pod).withNamespace(run.namespace).withLabels(labels).withAnnotations(annotations)
          .withFinalizers(TRACKING_FINALIZER)
          .addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName(run.name).withUid(run.uid)
            .withController(true).withBlockOwnerDeletion(true).endOwnerReference()
        .endMetadata()
        .withSpec(spec)
        .withNewStatus().withPhase("Running").withStartTime(Instant.now().toString()).endStatus()
        .build()).create();
  }

  /**
   * The ended pod as the kubelet leaves it: Succeeded with every container completed, or Failed:
   * the init containers before the failed one completed, the failed one terminated with its
   * message; after a failed init container the pod's container never started (waiting,
   * PodInitializing).
   */
  private void endPod(JobRun run, String pod, Exit exit) {
    PodSpec template = run.template;
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
    client.pods().inNamespace(run.namespace).withName(pod).editStatus(p -> {
      p.getStatus().setPhase(exit.code() == 0 ? "Succeeded" : "Failed");
      p.getStatus().setInitContainerStatuses(inits);
      p.getStatus().setContainerStatuses(containers);
      return p;
    });
    // The Job controller has counted the pod: a pod it deleted goes now, any other stays.
    client.pods().inNamespace(run.namespace).withName(pod).edit(p -> {
      p.getMetadata().getFinalizers().remove(TRACKING_FINALIZER);
      return p;
    });
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
    deadlines.shutdownNow();
    stops.shutdownNow();
    node.shutdownNow();
    groupPods.shutdownNow();
    pods.shutdownNow();
    pods.awaitTermination(30, TimeUnit.SECONDS);
  }
}
