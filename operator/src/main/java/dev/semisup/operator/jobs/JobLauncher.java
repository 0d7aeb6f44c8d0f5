package dev.semisup.operator.jobs;

import dev.semisup.operator.observer.ContainerStatuses;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Creates stage Jobs and pod groups' Services (idempotently, adopting only the run's own) and reads
 * why a Job failed.
 */
public class JobLauncher {

  /** Job-controller label on every pod of a Job. */
  public static final String POD_JOB_LABEL = "batch.kubernetes.io/job-name";
  public static final String POD_JOB_LABEL_LEGACY = "job-name";

  private final KubernetesClient client;

  public JobLauncher(KubernetesClient client) {
    this.client = client;
  }

  /** How a create ended. */
  public sealed interface Launch {
    /** The API server made the Job now. */
    record Created(Job job) implements Launch { }

    /** 409, and the Job of that name is controlled by this run: an earlier reconcile made it. */
    record AlreadyOurs(Job job) implements Launch { }

    /** 409, and the Job of that name is controlled by something else (or nothing): never adopted. */
    record TakenByOther(String controllerUid) implements Launch { }
  }

  /**
   * Creates the Job. A 409 means a Job of that name exists; it is taken for this attempt's only
   * when its controller owner UID is the run's (a leftover of a deleted run of the same name, or
   * a Job a person made, is not).
   *
   * @throws JobRejectedException when the API server refuses the Job itself (400/422): a spec
   *     value (node selector, toleration, quantity) that Kubernetes does not accept
   */
  public Launch create(Job job, String runUid) throws JobRejectedException {
    String namespace = job.getMetadata().getNamespace();
    try {
      return new Launch.Created(client.batch().v1().jobs().inNamespace(namespace).resource(job).create());
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        Job existing = client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).get();
        if (existing == null) {
          // Deleted between the 409 and the read: the next reconcile creates it.
          return new Launch.TakenByOther(null);
        }
        String owner = StageJobs.controllerUid(existing);
        return Objects.equals(owner, runUid) ? new Launch.AlreadyOurs(existing) : new Launch.TakenByOther(owner);
      }
      if (e.getCode() == 422 || e.getCode() == HttpURLConnection.HTTP_BAD_REQUEST) {
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        throw new JobRejectedException("Job " + job.getMetadata().getName() + " was rejected by the API server: " + reason);
      }
      throw e;
    }
  }

  /**
   * Creates a pod group's Service. A 409 is this attempt's Service when its controller owner UID
   * is the run's (an earlier reconcile made it).
   *
   * @return false when a Service of that name belongs to something else: it is never adopted
   * @throws JobRejectedException when the API server refuses the Service itself (400/422)
   */
  public boolean createService(Service service, String runUid) throws JobRejectedException {
    String namespace = service.getMetadata().getNamespace();
    try {
      client.services().inNamespace(namespace).resource(service).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        Service existing = client.services().inNamespace(namespace).withName(service.getMetadata().getName()).get();
        return existing != null && Objects.equals(StageJobs.controllerUid(existing), runUid);
      }
      if (e.getCode() == 422 || e.getCode() == HttpURLConnection.HTTP_BAD_REQUEST) {
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        throw new JobRejectedException("Service " + service.getMetadata().getName() + " was rejected by the API server: "
            + reason);
      }
      throw e;
    }
  }

  /**
   * The failed pod's termination message (what the worker wrote to /dev/termination-log, or the
   * tail of its log), of an init container when one failed (its pod's other containers never
   * started), else the Job's own Failed condition.
   */
  public String failureMessage(Job job, JobState state) {
    String namespace = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName();
    try {
      List<Pod> pods = client.pods().inNamespace(namespace).withLabel(POD_JOB_LABEL_LEGACY, name).list().getItems();
      Optional<String> message = pods.stream()
          .sorted(Comparator.comparing((Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp())).reversed())
          .map(JobLauncher::terminationMessage)
          .flatMap(Optional::stream)
          .findFirst();
      if (message.isPresent()) {
        return message.get();
      }
    } catch (KubernetesClientException e) {
      // No pods to read (gone with the Job's TTL, or no permission): the Job's words will do.
    }
    return state.describeFailure();
  }

  private static Optional<String> terminationMessage(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    for (ContainerStatus container : ContainerStatuses.inStartOrder(pod.getStatus())) {
      for (var state : new io.fabric8.kubernetes.api.model.ContainerState[] {container.getState(), container.getLastState()}) {
        ContainerStateTerminated terminated = state == null ? null : state.getTerminated();
        if (terminated != null && terminated.getExitCode() != null && terminated.getExitCode() != 0
            && terminated.getMessage() != null && !terminated.getMessage().isBlank()) {
          String message = terminated.getMessage().strip();
          return Optional.of(message.length() > 1000 ? "..." + message.substring(message.length() - 1000) : message);
        }
      }
    }
    return Optional.empty();
  }

  /** The API server refused a Job: a user-caused error the run reports, never retried blindly. */
  public static class JobRejectedException extends Exception {
    public JobRejectedException(String message) {
      super(message);
    }
  }
}
