package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One entry per planned step of the run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StageStatus {

  private String name;
  private StagePhase phase;
  private String startTime;
  private String completionTime;
  private Integer attempts;
  private String jobName;
  private String progress;
  private Double imagesPerSecond;
  private Long etaSeconds;
  private Integer shardsDone;
  private Integer shardsTotal;
  private String message;
  /** Restarts of a pod group (torch-ddp) since the step last started from Pending by hand or plan. */
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
