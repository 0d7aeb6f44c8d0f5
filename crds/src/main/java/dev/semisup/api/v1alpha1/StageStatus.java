package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One entry per planned step of the run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StageStatus {

  @JsonPropertyDescription("Step id, e.g. teacher, infer or student-r2")
  private String name;
  @JsonPropertyDescription("Where the step is")
  private StagePhase phase;
  @JsonPropertyDescription("When the step's Job started (RFC 3339)")
  private String startTime;
  @JsonPropertyDescription("When the step finished (RFC 3339)")
  private String completionTime;
  @JsonPropertyDescription("Pods of the step's Job that ran, retries included")
  private Integer attempts;
  @JsonPropertyDescription("The step's Kubernetes Job")
  private String jobName;
  @JsonPropertyDescription("Human-readable progress of the step")
  private String progress;
  @JsonPropertyDescription("Throughput of the step as its worker reports it")
  private Double imagesPerSecond;
  @JsonPropertyDescription("Estimated seconds until the step finishes")
  private Long etaSeconds;
  @JsonPropertyDescription("Shards of a sharded step (infer, pack) that finished")
  private Integer shardsDone;
  @JsonPropertyDescription("Shards of a sharded step (infer, pack)")
  private Integer shardsTotal;
  @JsonPropertyDescription("Why the step failed or waits, as its pod said")
  private String message;
  /** Restarts of a pod group (torch-ddp) since the step last started from Pending by hand or plan. */
  @JsonPropertyDescription("Restarts of a torch-ddp pod group since the step last started")
  private Integer groupRestarts;

  public StageStatus() {
  }

  public StageStatus(String name, StagePhase phase) {
    this.name = name;
    this.phase = phase;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public StagePhase getPhase() { return phase; }
  public void setPhase(StagePhase phase) { this.phase = phase; }
  public String getStartTime() { return startTime; }
  public void setStartTime(String startTime) { this.startTime = startTime; }
  public String getCompletionTime() { return completionTime; }
  public void setCompletionTime(String completionTime) { this.completionTime = completionTime; }
  public Integer getAttempts() { return attempts; }
  public void setAttempts(Integer attempts) { this.attempts = attempts; }
  public String getJobName() { return jobName; }
  public void setJobName(String jobName) { this.jobName = jobName; }
  public String getProgress() { return progress; }
  public void setProgress(String progress) { this.progress = progress; }
  public Double getImagesPerSecond() { return imagesPerSecond; }
  public void setImagesPerSecond(Double imagesPerSecond) { this.imagesPerSecond = imagesPerSecond; }
  public Long getEtaSeconds() { return etaSeconds; }
  public void setEtaSeconds(Long etaSeconds) { this.etaSeconds = etaSeconds; }
  public Integer getShardsDone() { return shardsDone; }
  public void setShardsDone(Integer shardsDone) { this.shardsDone = shardsDone; }
  public Integer getShardsTotal() { return shardsTotal; }
  public void setShardsTotal(Integer shardsTotal) { this.shardsTotal = shardsTotal; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
  public Integer getGroupRestarts() { return groupRestarts; }
  public void setGroupRestarts(Integer groupRestarts) { this.groupRestarts = groupRestarts; }
}
