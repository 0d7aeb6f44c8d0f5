package dev.semisup.operator.observer;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.RunPhase;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunStatus;
import dev.semisup.api.v1alpha1.StagePhase;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.operator.jobs.JobLauncher;
import dev.semisup.operator.jobs.JobState;
import dev.semisup.operator.jobs.StageJobs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a run's {@link RunObservation} from what the informers hold ({@link CachedObjects}): its
 * own Jobs (controller owner UID checked), the API server's word where the cache lacks something
 * that decides (a recorded Job, every pod of a Job, the Secret), the credentials Secret, the run
 * marker, the progress of running steps (a bounded number of reads, {@link ProgressReads}) and
 * the state of their pods.
 */
public class RunObserver {

  private final KubernetesClient client;
  private final ArtifactReaders readers;
  private final CredentialsSecrets secrets;
  private final ProgressReads progressReads;
  private final Duration podCreationBound;
  private final Clock clock;

  /**
   * @param podCreationBound how long a Job may have no pod at all before that is reported
   */
  public RunObserver(KubernetesClient client, ArtifactReaders readers, Duration podCreationBound, Clock clock) {
    this.client = client;
    this.readers = readers;
    this.secrets = new CredentialsSecrets(client);
    this.progressReads = new ProgressReads(clock);
    this.podCreationBound = podCreationBound;
    this.clock = clock;
  }

  public RunObservation observe(SemiSupervisedRun run, StagePlan plan, ObjectLayout layout, CachedObjects cached,
      StoreHealth health) {
    RunObservation.Builder seen = RunObservation.builder();
    String uid = run.getMetadata().getUid();
    for (Job job : cached.jobs()) {
      if (!Objects.equals(uid, StageJobs.controllerUid(job))) {
        continue;
      }
      if (StageJobs.isCompletion(job)) {
        seen.completionJob(ObservedJob.of(job));
      } else {
        seen.job(ObservedJob.of(job));
      }
    }
    SemiSupervisedRunStatus status = run.getStatus();
    List<String> recorded = status.getStages().stream()
        .filter(s -> s.getPhase() == StagePhase.Running && s.getJobName() != null)
        .map(StageStatus::getJobName).toList();
    List<String> missing = new ArrayList<>();
    for (String name : recorded) {
      if (seen.build().job(name).isPresent()) {
        continue;
      }
      // The cache may lag behind the server; only the server can say a Job is gone.
      Job live = client.batch().v1().jobs().inNamespace(run.getMetadata().getNamespace()).withName(name).get();
      if (live == null) {
        seen.gone(name);
        missing.add(name);
      } else if (Objects.equals(uid, StageJobs.controllerUid(live))) {
        seen.job(ObservedJob.of(live));
      } else {
        seen.foreign(name);
      }
    }
    RunObservation jobsOnly = seen.build();
    Set<String> runningJobs = new HashSet<>();
    for (PlannedStep step : plan.steps()) {
      Optional<ObservedJob> running = jobsOnly.latestJob(step.id())
          .filter(job -> job.state().outcome() == JobState.Outcome.RUNNING);
      running.ifPresent(job -> runningJobs.add(job.name()));
      // Once the trainer pods are done, the step's pods are its completion Job's.
      Optional<ObservedJob> completing = jobsOnly.latestJob(step.id())
          .filter(job -> job.state().outcome() == JobState.Outcome.SUCCEEDED)
          .flatMap(job -> jobsOnly.completionJob(step.id(), job.attempt()))
          .filter(job -> job.state().outcome() == JobState.Outcome.RUNNING);
      running.or(() -> completing).flatMap(job -> troubleOf(job, cached.pods()))
          .ifPresent(trouble -> seen.trouble(step.id(), trouble));
    }
    progressReads.retain(uid, runningJobs);
    if (!storeNeeded(status)) {
      return seen.build();
    }
    StoreAccess store = open(run, cached.credentials(), health);
    seen.store(store);
    store.readerIfOpen().ifPresent(reader -> readStore(reader, run, plan, layout, jobsOnly, missing, seen, health));
    return seen.build();
  }

  /** The run is gone: what was remembered of its progress goes too. */
  public void forget(SemiSupervisedRun run) {
    progressReads.retain(run.getMetadata().getUid(), Set.of());
  }

  /** A finished run with its report read needs nothing from the store. */
  private static boolean storeNeeded(SemiSupervisedRunStatus status) {
    return !(status.getPhase() == RunPhase.Succeeded && status.getArtifacts().containsKey("report"));
  }

  private StoreAccess open(SemiSupervisedRun run, Optional<Secret> cachedSecret, StoreHealth health) {
    try {
      return StoreAccess.open(readers.readerFor(run, secrets.find(run, cachedSecret)));
    } catch (StorageUnreachableException e) {
      health.unreachable(e);
      return StoreAccess.failed(e);
    }
  }

  private void readStore(ArtifactReader reader, SemiSupervisedRun run, StagePlan plan, ObjectLayout layout,
      RunObservation jobsOnly, List<String> missingJobs, RunObservation.Builder seen, StoreHealth health) {
    SemiSupervisedRunStatus status = run.getStatus();
    ProgressReads.Budget budget = progressReads.budget();
    try {
      if (status.getPhase() != RunPhase.Succeeded) {
        reader.marker(layout.runMarker()).ifPresent(seen::marker);
      }
      for (PlannedStep step : plan.steps()) {
        Optional<ObservedJob> running = jobsOnly.latestJob(step.id())
            .filter(job -> job.state().outcome() == JobState.Outcome.RUNNING);
        if (running.isPresent()) {
          seen.progress(step.id(), progressReads.read(reader, layout, step, run.getMetadata().getUid(),
              running.get().name(), budget));
        }
        boolean jobGone = status.getStages().stream()
            .anyMatch(s -> s.getName().equals(step.id()) && missingJobs.contains(s.getJobName()));
        if (jobGone && reader.exists(layout.success(step))) {
          // The Job went (its TTL, or a person) before its outcome was read; the step's own
          // _SUCCESS, written last, still says how it ended.
          seen.doneInStore(step.id());
        }
      }
      health.reachable();
    } catch (StorageUnreachableException e) {
      health.unreachable(e);
    }
  }

  /**
   * Why a running Job's pods make no progress, from the pods the kubelet and scheduler describe,
   * as the informer holds them; "no pod at all" only once the API server agrees.
   */
  Optional<PodTrouble> troubleOf(ObservedJob job, Collection<Pod> cachedPods) {
    List<Pod> pods = cachedPods.stream()
        .filter(pod -> job.name().equals(labelOf(pod, JobLauncher.POD_JOB_LABEL_LEGACY)))
        .toList();
    if (pods.isEmpty() && olderThan(job.createdAt(), podCreationBound)) {
      pods = client.pods().inNamespace(job.job().getMetadata().getNamespace())
          .withLabel(JobLauncher.POD_JOB_LABEL_LEGACY, job.name()).list().getItems();
    }
    for (Pod pod : pods) {
      Optional<PodTrouble> trouble = PodTroubles.of(pod);
      if (trouble.isPresent()) {
        return trouble;
      }
    }
    if (pods.isEmpty() && olderThan(job.createdAt(), podCreationBound)) {
      return Optional.of(new PodTrouble(PodTrouble.Kind.NO_PODS, null, "Job " + job.name() + " has had no pod for "
          + podCreationBound.toSeconds() + "s (quota, an admission webhook or a missing ServiceAccount;"
          + " kubectl describe job " + job.name() + ")"));
    }
    return Optional.empty();
  }

  private static String labelOf(Pod pod, String label) {
    var labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(label);
  }

  private boolean olderThan(String created, Duration bound) {
    try {
      return created != null && Instant.parse(created).plus(bound).isBefore(Instant.now(clock));
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
