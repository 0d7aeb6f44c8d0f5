package dev.semisup.e2e.helm;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The objects of one helm template, parsed by Fabric8 into their typed model classes. */
public record Rendered(String description, List<HasMetadata> objects) {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  static Rendered parse(String description, String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      if (document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
        continue;
      }
      KubernetesResource parsed;
      try {
        parsed = SERIALIZATION.unmarshal(document);
      } catch (RuntimeException e) {
        throw new AssertionError("rendered document does not parse (" + description + "):\n"
            + document, e);
      }
      if (!(parsed instanceof HasMetadata object)) {
        throw new AssertionError("rendered document is not a Kubernetes object (" + description
            + "): " + parsed.getClass() + "\n" + document);
      }
      objects.add(object);
    }
    return new Rendered(description, List.copyOf(objects));
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String namespace, String name) {
    return all(type).stream()
        .filter(o -> name.equals(o.getMetadata().getName()))
        .filter(o -> namespace == null || namespace.equals(o.getMetadata().getNamespace()))
        .findFirst();
  }

  public <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
    return find(type, namespace, name).orElseThrow(() -> new AssertionError(
        "no " + type.getSimpleName() + " " + namespace + "/" + name + " in " + description
            + "; rendered: " + names()));
  }

  List<GenericKubernetesResource> generic(String kind) {
    return all(GenericKubernetesResource.class).stream()
        .filter(o -> kind.equals(o.getKind()))
        .toList();
  }

  List<String> names() {
    return objects.stream()
        .map(o -> o.getKind() + " " + Optional.ofNullable(o.getMetadata().getNamespace()).orElse("-")
            + "/" + o.getMetadata().getName())
        .toList();
  }

  @Override
  public String toString() {
    return "helm template " + description;
  }
}
