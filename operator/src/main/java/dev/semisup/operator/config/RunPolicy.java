package dev.semisup.operator.config;

import dev.semisup.api.v1alpha1.ResourcesSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the operator lets a run ask for, set by whoever installs it (Helm values): worker and trainer images,
 * worker ServiceAccounts and storage endpoints. Whoever may create a run may otherwise run any
 * image under any ServiceAccount of the namespace, and aim the operator's signed S3 requests at
 * any host. An entry ending in {@code *} allows every value that starts with the rest; an empty
 * list allows everything (the chart never leaves them empty).
 */
public record RunPolicy(Set<String> images, Set<String> serviceAccounts, Set<String> endpoints) {

  public static final RunPolicy OPEN = new RunPolicy(Set.of(), Set.of(), Set.of());

  public RunPolicy {
    images = Set.copyOf(images);
    serviceAccounts = Set.copyOf(serviceAccounts);
    endpoints = Set.copyOf(endpoints);
  }

  /** Why the run is refused, naming each field outside its list; empty when it is allowed. */
  public Optional<String> refusal(SemiSupervisedRunSpec spec) {
    ResourcesSpec resources = spec.getResources() == null ? new ResourcesSpec() : spec.getResources();
    List<String> refused = new ArrayList<>();
    check("spec.resources.image", resources.getImage(), images, refused);
    if (spec.getTrainer() != null && spec.getTrainer().getImage() != null) {
      // The operator's own TRAINER_IMAGE is trusted; one a run names is checked like a worker image.
      check("spec.trainer.image", spec.getTrainer().getImage(), images, refused);
    }
    check("spec.resources.serviceAccountName", resources.getServiceAccountName(), serviceAccounts, refused);
    check("spec.storage.endpoint", spec.getStorage().getEndpoint(), endpoints, refused);
    return refused.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", refused));
  }

  private static void check(String field, String value, Set<String> allowed, List<String> refused) {
    if (allowed.isEmpty() || value != null && allowed.stream().anyMatch(entry -> matches(entry, value))) {
      return;
    }
    refused.add(field + " " + value + " is not allowed by the operator (allowed: " + String.join(", ",
        new java.util.TreeSet<>(allowed)) + ")");
  }

  private static boolean matches(String entry, String value) {
    return entry.endsWith("*") ? value.startsWith(entry.substring(0, entry.length() - 1)) : entry.equals(value);
  }
}
