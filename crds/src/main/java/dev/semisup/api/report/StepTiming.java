package dev.semisup.api.report;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;

/**
 * timing.json (timing-NNNNN.json per shard of a sharded step): when a step, or one shard of it,
 * first started and when it finished, for the report's timeline. Written by the worker, so local
 * runs and cluster runs record the same thing.
 *
 * @param step       step id
 * @param shard      shard index (0 for an unsharded step)
 * @param shards     shard count (1 for an unsharded step)
 * @param startedAt  ISO-8601 instant its first attempt started
 * @param finishedAt ISO-8601 instant it finished; null while it runs (or after it died)
 * @param attempts   attempts that started, a resume counting as one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record StepTiming(String step, int shard, int shards, String startedAt, String finishedAt, int attempts) {

  /** Seconds from the first start to the finish; null while not finished. */
  @JsonIgnore
  public Double seconds() {
    if (finishedAt == null || startedAt == null) {
      return null;
    }
    return Duration.between(Instant.parse(startedAt), Instant.parse(finishedAt)).toMillis() / 1000.0;
  }
}
