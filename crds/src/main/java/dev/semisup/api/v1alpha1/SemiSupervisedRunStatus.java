package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the operator observed; written only by the operator. Its conditions are a map list keyed by
 * type ({@link ConditionsMapList}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(ConditionsMapList.class)
public class SemiSupervisedRunStatus {

  @JsonPropertyDescription("Where the run is")
  private RunPhase phase;

  @JsonPropertyDescription("The step now running or last run, e.g. infer or student-r2")
  private String stage;

  @JsonPropertyDescription("Human-readable progress of the current step, e.g. 'epoch 3/10' or '5/8 shards'")
  private String progress;

  @JsonPropertyDescription("The spec generation this status describes")
  private Long observedGeneration;

  @JsonPropertyDescription("Kubernetes-style conditions of the run, one per type")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("One entry per planned step, in plan order")
  private List<StageStatus> stages = new ArrayList<>();

  @JsonPropertyDescription("Artifact URIs by name: spec, teacher, index, student, finetune, report")
  private Map<String, String> artifacts = new LinkedHashMap<>();

  @JsonPropertyDescription("Accuracies and counts of the run so far")
  private RunMetrics metrics = new RunMetrics();

  @JsonPropertyDescription("The run's report page (report.html: timeline, accuracy, training curves, contact sheets"
      + " of the sampled images), set when the run succeeded")
  private String reportUri;

  @JsonPropertyDescription("Value of the semisup.dev/retry annotation already acted on")
  private String handledRetry;

  @JsonPropertyDescription("JSON of the spec parts fixed at start (storage, data, teacher, student, sampling, rounds) as"
      + " the operator accepted them; later edits of those parts are reported and ignored")
  private String acceptedSpec;

  @JsonPropertyDescription("Generation whose spec the run accepted at start")
  private Long acceptedGeneration;

  public RunPhase getPhase() { return phase; }
  public void setPhase(RunPhase phase) { this.phase = phase; }
  public String getStage() { return stage; }
  public void setStage(String stage) { this.stage = stage; }
  public String getProgress() { return progress; }
  public void setProgress(String progress) { this.progress = progress; }
  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
  public List<StageStatus> getStages() { return stages; }
  public void setStages(List<StageStatus> stages) { this.stages = stages; }
  public Map<String, String> getArtifacts() { return artifacts; }
  public void setArtifacts(Map<String, String> artifacts) { this.artifacts = artifacts; }
  public RunMetrics getMetrics() { return metrics; }
  public void setMetrics(RunMetrics metrics) { this.metrics = metrics; }
  public String getReportUri() { return reportUri; }
  public void setReportUri(String reportUri) { this.reportUri = reportUri; }
  public String getHandledRetry() { return handledRetry; }
  public void setHandledRetry(String handledRetry) { this.handledRetry = handledRetry; }
  public String getAcceptedSpec() { return acceptedSpec; }
  public void setAcceptedSpec(String acceptedSpec) { this.acceptedSpec = acceptedSpec; }
  public Long getAcceptedGeneration() { return acceptedGeneration; }
  public void setAcceptedGeneration(Long acceptedGeneration) { this.acceptedGeneration = acceptedGeneration; }
}
