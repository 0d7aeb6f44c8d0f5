package dev.semisup.operator.jobs;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API server's checks of a Job's names and labels, which the mock API server skips
 * (k8s.io/kubernetes pkg/apis/batch/validation: validateJob, and label validation of the object
 * and its pod template; the container names its podFailurePolicy rules may name). The Job controller names each pod of an Indexed Job
 * {@code <job name>-<index>}, so the server refuses one whose highest index would not make a
 * DNS-1123 label.
 */
final class ApiServerJobRules {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  private ApiServerJobRules() {
  }

  /** What the API server would answer to creating the Job; empty when it accepts it. */
  static List<String> problems(Job job) {
    List<String> problems = new ArrayList<>();
    String name = job.getMetadata().getName();
    if (name == null || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      problems.add("metadata.name '" + name + "' is not a DNS-1123 subdomain");
    }
    Map<String, String> podLabels = new LinkedHashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
    // Added by the API server to the pod template of every Job with a generated selector.
    podLabels.put("batch.kubernetes.io/job-name", name);
    podLabels.put("job-name", name);
    labels("metadata.labels", job.getMetadata().getLabels(), problems);
    labels("spec.template.metadata.labels", podLabels, problems);
    if ("Indexed".equals(job.getSpec().getCompletionMode()) && job.getSpec().getCompletions() != null
        && job.getSpec().getCompletions() > 0) {
      String hostname = name + "-" + (job.getSpec().getCompletions() - 1);
      if (hostname.length() > 63 || !DNS_LABEL.matcher(hostname).matches()) {
        problems.add("metadata.name: will not able to create pod with invalid DNS label: " + hostname);
      }
    }
    containers(job, problems);
    String subdomain = job.getSpec().getTemplate().getSpec().getSubdomain();
    if (subdomain != null && (subdomain.length() > 63 || !DNS_LABEL.matcher(subdomain).matches())) {
      problems.add("spec.template.spec.subdomain '" + subdomain + "' is not a DNS-1123 label");
    }
    return problems;
  }

  /**
   * The server's checks of a Service's name (a DNS-1035 label: it starts with a letter, since it
   * becomes a DNS name of its own) and labels (k8s.io/kubernetes pkg/apis/core/validation:
   * ValidateServiceName).
   */
  static List<String> problems(Service service) {
    List<String> problems = new ArrayList<>();
    String name = service.getMetadata().getName();
    if (name == null || name.length() > 63 || !DNS_1035_LABEL.matcher(name).matches()) {
      problems.add("metadata.name '" + name + "' is not a DNS-1035 label");
    }
    labels("metadata.labels", service.getMetadata().getLabels(), problems);
    labels("spec.selector", service.getSpec().getSelector(), problems);
    return problems;
  }

  /**
   * Container names are unique across a pod's containers and init containers, and an exit-code
   * rule of the podFailurePolicy names one of them (validatePodFailurePolicyRuleOnExitCodes).
   */
  private static void containers(Job job, List<String> problems) {
    var pod = job.getSpec().getTemplate().getSpec();
    Set<String> names = new HashSet<>();
    List<Container> all = new ArrayList<>();
    if (pod.getInitContainers() != null) {
      all.addAll(pod.getInitContainers());
    }
    all.addAll(pod.getContainers());
    for (Container container : all) {
      if (!names.add(container.getName())) {
        problems.add("spec.template.spec.containers[].name: Duplicate value: \"" + container.getName() + "\"");
      }
    }
    PodFailurePolicy policy = job.getSpec().getPodFailurePolicy();
    if (policy == null) {
      return;
    }
    for (int i = 0; i < policy.getRules().size(); i++) {
      var exitCodes = policy.getRules().get(i).getOnExitCodes();
      if (exitCodes != null && exitCodes.getContainerName() != null && !names.contains(exitCodes.getContainerName())) {
        problems.add("spec.podFailurePolicy.rules[" + i + "].onExitCodes.containerName: Invalid value: \""
            + exitCodes.getContainerName() + "\": must be one of the container or initContainer names in the pod template");
      }
    }
  }

  private static void labels(String field, Map<String, String> labels, List<String> problems) {
    labels.forEach((key, value) -> {
      if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
        problems.add(field + "[" + key + "]: invalid label value '" + value + "'");
      }
    });
  }
}
