package dev.semisup.operator.jobs;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.util.List;

/**
 * What a stage Job's status says, as the Job controller writes it: Complete or Failed
 * conditions, and for the Indexed infer Job the count of succeeded shards.
 */
public record JobState(Outcome outcome, int shardsDone, String reason, String message) {

  public enum Outcome { RUNNING, SUCCEEDED, FAILED }

  public static JobState of(Job job) {
    JobStatus status = job.getStatus();
    if (status == null) {
      return new JobState(Outcome.RUNNING, 0, null, null);
    }
    int succeeded = status.getSucceeded() == null ? 0 : status.getSucceeded();
    List<JobCondition> conditions = status.getConditions() == null ? List.of() : status.getConditions();
    for (JobCondition condition : conditions) {
      if (!"True".equals(condition.getStatus())) {
        continue;
      }
      if ("Failed".equals(condition.getType())) {
        return new JobState(Outcome.FAILED, succeeded, condition.getReason(), condition.getMessage());
      }
      if ("Complete".equals(condition.getType())) {
        return new JobState(Outcome.SUCCEEDED, succeeded, condition.getReason(), condition.getMessage());
      }
    }
    return new JobState(Outcome.RUNNING, succeeded, null, null);
  }

  /** The Job's own words for its failure, e.g. "BackoffLimitExceeded: Job has reached the specified backoff limit". */
  public String describeFailure() {
    if (reason == null && message == null) {
      return "the Job failed";
    }
    if (reason == null) {
      return message;
    }
    return message == null ? reason : reason + ": " + message;
  }
}
