package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What each worker pod gets and where it may run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourcesSpec {

  /**
   * A decimal Kubernetes quantity, by regex: Kubernetes' isQuantity has no implementation in the
   * CEL library the tests evaluate the CRD's rules with, so a rule using it would go untested.
   */
  static final String QUANTITY = "^([0-9]+([.][0-9]*)?|[.][0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";
  /** Bounds the cost the API server estimates for the quantity rules (see StorageSpec). */
  static final int MAX_QUANTITY_LENGTH = 32;
  /** One entry per stage at most: teacher, infer, select, pack, student, finetune. */
  public static final int MAX_STEPS = 6;


  @JsonPropertyDescription("Worker image")
  private String image = "ghcr.io/semisup/semisup-worker:0.1.0";

  @JsonPropertyDescription("Pull policy of the worker image: Always, IfNotPresent or Never")
  private String imagePullPolicy = "IfNotPresent";

  @Min(0)
  @Max(16)
  @JsonPropertyDescription("nvidia.com/gpu per pod of the steps that run a model (teacher, infer, student, finetune); select and pack ask for none")
  private Integer gpus = 0;

  @ValidationRule(value = "self.matches('" + ResourcesSpec.QUANTITY + "')",
      message = "resources.cpu must be a Kubernetes quantity such as 2 or 1500m")
  @Size(max = MAX_QUANTITY_LENGTH)
  @JsonPropertyDescription("CPU request and limit per pod; also the worker's thread count")
  private String cpu = "2";

  @ValidationRule(value = "self.matches('" + ResourcesSpec.QUANTITY + "')",
      message = "resources.memory must be a Kubernetes quantity such as 4Gi or 512Mi")
  @Size(max = MAX_QUANTITY_LENGTH)
  @JsonPropertyDescription("Memory request and limit per pod")
  private String memory = "4Gi";

  @JsonPropertyDescription("Per-step overrides of gpus, cpu and memory, keyed by stage: teacher, infer, select, pack, student, finetune")
  @Size(max = MAX_STEPS)
  private Map<String, StepResourcesSpec> steps = new LinkedHashMap<>();

  @JsonPropertyDescription("Node labels every worker pod must match")
  private Map<String, String> nodeSelector = new LinkedHashMap<>();

  @JsonPropertyDescription("Tolerations of every worker pod (for example of GPU nodes' taints)")
  private List<Toleration> tolerations = new ArrayList<>();

  @JsonPropertyDescription("PriorityClass of every worker pod")
  private String priorityClassName;

  @Min(0)
  @Max(20)
  @JsonPropertyDescription("Pod retries of a stage Job before the run fails (Job backoffLimit; per shard for sharded steps, backoffLimitPerIndex;"
      + " for a torch-ddp step, restarts of its whole pod group). Exit code 2 (bad input) is never retried; pod disruptions"
      + " (drains, preemption) never count")
  private Integer retries = 2;

  @JsonPropertyDescription("Kueue LocalQueue; becomes the kueue.x-k8s.io/queue-name label of every Job")
  private String queueName;

  @Min(0)
  @JsonPropertyDescription("Seconds a finished Job and its pods are kept")
  private Integer ttlSecondsAfterFinished = 3600;

  @Min(1)
  @JsonPropertyDescription("Seconds one step's Job may run, retries included, before Kubernetes stops it and the step"
      + " fails with DeadlineExceeded (Job activeDeadlineSeconds); default none")
  private Long stepDeadlineSeconds;

  @JsonPropertyDescription("ServiceAccount of worker pods (no API token is mounted)")
  private String serviceAccountName = "semisup-worker";

  public String getImage() { return image; }
  public void setImage(String image) { this.image = image; }
  public String getImagePullPolicy() { return imagePullPolicy; }
  public void setImagePullPolicy(String imagePullPolicy) { this.imagePullPolicy = imagePullPolicy; }
  public Integer getGpus() { return gpus; }
  public void setGpus(Integer gpus) { this.gpus = gpus; }
  public String getCpu() { return cpu; }
  public void setCpu(String cpu) { this.cpu = cpu; }
  public String getMemory() { return memory; }
  public void setMemory(String memory) { this.memory = memory; }
  public Map<String, StepResourcesSpec> getSteps() { return steps; }
  public void setSteps(Map<String, StepResourcesSpec> steps) { this.steps = steps; }
  public Map<String, String> getNodeSelector() { return nodeSelector; }
  public void setNodeSelector(Map<String, String> nodeSelector) { this.nodeSelector = nodeSelector; }
  public List<Toleration> getTolerations() { return tolerations; }
  public void setTolerations(List<Toleration> tolerations) { this.tolerations = tolerations; }
  public String getPriorityClassName() { return priorityClassName; }
  public void setPriorityClassName(String priorityClassName) { this.priorityClassName = priorityClassName; }
  public Integer getRetries() { return retries; }
  public void setRetries(Integer retries) { this.retries = retries; }
  public String getQueueName() { return queueName; }
  public void setQueueName(String queueName) { this.queueName = queueName; }
  public Integer getTtlSecondsAfterFinished() { return ttlSecondsAfterFinished; }
  public Long getStepDeadlineSeconds() { return stepDeadlineSeconds; }
  public void setStepDeadlineSeconds(Long stepDeadlineSeconds) { this.stepDeadlineSeconds = stepDeadlineSeconds; }
  public void setTtlSecondsAfterFinished(Integer ttlSecondsAfterFinished) { this.ttlSecondsAfterFinished = ttlSecondsAfterFinished; }
  public String getServiceAccountName() { return serviceAccountName; }
  public void setServiceAccountName(String serviceAccountName) { this.serviceAccountName = serviceAccountName; }
}
