package dev.semisup.operator.observer;

import dev.semisup.operator.jobs.JobState;
import dev.semisup.operator.jobs.StageJobs;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * A stage Job whose controller owner is the run being reconciled (checked by UID, so a leftover
 * Job of a deleted run with the same name is never taken for this run's).
 */
public record ObservedJob(String name, String step, int attempt, JobState state, String createdAt, Job job) {

  public static ObservedJob of(Job job) {
    return new ObservedJob(job.getMetadata().getName(), StageJobs.stepOf(job), StageJobs.attemptOf(job),
        JobState.of(job), job.getMetadata().getCreationTimestamp(), job);
  }
}
