package dev.semisup.operator.observer;

import dev.semisup.api.report.RunMarker;
import dev.semisup.api.report.StageProgress;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one reconcile saw of the world, built once by {@link RunObserver} before anything is
 * decided, and not changed afterwards: the decision is a function of the status and this.
 *
 * @param jobs        the run's own Jobs by name (controller owner UID = the run's UID)
 * @param completionJobs the run's own Jobs that complete a torch-ddp step after its trainer pods, by name
 * @param goneJobs    Job names the status records that the API server no longer has
 * @param foreignJobs Job names the status records, held by an object the run does not control
 * @param store       the object store as far as it was asked (credentials first)
 * @param marker      the run marker found at the prefix, if any was read
 * @param doneInStore steps whose _SUCCESS exists although their Job is gone
 * @param progress    progress.json files of steps whose Job runs
 * @param trouble     why a running step's pods make no progress
 */
public record RunObservation(
    Map<String, ObservedJob> jobs,
    Map<String, ObservedJob> completionJobs,
    Set<String> goneJobs,
    Set<String> foreignJobs,
    StoreAccess store,
    Optional<RunMarker> marker,
    Set<String> doneInStore,
    Map<String, List<StageProgress>> progress,
    Map<String, PodTrouble> trouble) {

  public RunObservation {
    jobs = Map.copyOf(jobs);
    completionJobs = Map.copyOf(completionJobs);
    goneJobs = Set.copyOf(goneJobs);
    foreignJobs = Set.copyOf(foreignJobs);
    doneInStore = Set.copyOf(doneInStore);
    progress = Map.copyOf(progress);
    trouble = Map.copyOf(trouble);
  }

  /** The newest attempt's Job of a step among the run's own. */
  public Optional<ObservedJob> latestJob(String step) {
    return jobs.values().stream().filter(j -> step.equals(j.step())).max(Comparator.comparingInt(ObservedJob::attempt));
  }

  /** The Job that completes the step's attempt after its trainer pods, if the run has it. */
  public Optional<ObservedJob> completionJob(String step, int attempt) {
    return completionJobs.values().stream().filter(j -> step.equals(j.step()) && j.attempt() == attempt).findFirst();
  }

  public Optional<ObservedJob> job(String name) {
    return Optional.ofNullable(name).map(jobs::get);
  }

  public List<StageProgress> progressOf(String step) {
    return progress.getOrDefault(step, List.of());
  }

  public Optional<PodTrouble> troubleOf(String step) {
    return Optional.ofNullable(trouble.get(step));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects an observation; also how tests write one down. */
  public static final class Builder {
    private final Map<String, ObservedJob> jobs = new HashMap<>();
    private final Map<String, ObservedJob> completionJobs = new HashMap<>();
    private final Set<String> goneJobs = new HashSet<>();
    private final Set<String> foreignJobs = new HashSet<>();
    private StoreAccess store = StoreAccess.notAsked();
    private RunMarker marker;
    private final Set<String> doneInStore = new HashSet<>();
    private final Map<String, List<StageProgress>> progress = new HashMap<>();
    private final Map<String, PodTrouble> trouble = new HashMap<>();

    public Builder job(ObservedJob job) {
      jobs.put(job.name(), job);
      return this;
    }

    public Builder completionJob(ObservedJob job) {
      completionJobs.put(job.name(), job);
      return this;
    }

    public Builder gone(String jobName) {
      goneJobs.add(jobName);
      return this;
    }

    public Builder foreign(String jobName) {
      foreignJobs.add(jobName);
      return this;
    }

    public Builder store(StoreAccess store) {
      this.store = store;
      return this;
    }

    public Builder marker(RunMarker marker) {
      this.marker = marker;
      return this;
    }

    public Builder doneInStore(String step) {
      doneInStore.add(step);
      return this;
    }

    public Builder progress(String step, List<StageProgress> files) {
      progress.put(step, List.copyOf(files));
      return this;
    }

    public Builder trouble(String step, PodTrouble podTrouble) {
      trouble.put(step, podTrouble);
      return this;
    }

    public RunObservation build() {
      return new RunObservation(jobs, completionJobs, goneJobs, foreignJobs, store, Optional.ofNullable(marker), doneInStore,
          progress, trouble);
    }
  }
}
