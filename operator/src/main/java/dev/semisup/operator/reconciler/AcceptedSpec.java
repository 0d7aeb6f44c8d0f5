package dev.semisup.operator.reconciler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The spec parts a run keeps from its start (storage, data, teacher, student, sampling, rounds).
 * The CRD forbids changing them (CEL {@code self == oldSelf}); where that is not enforced the
 * operator keeps running with the accepted parts and says which ones it ignores. Resources and
 * suspend may change at any time and apply to the next Job.
 */
record AcceptedSpec(String json) {

  private static final ObjectMapper JSON = Manifests.json();
  private static final Set<String> MUTABLE = Set.of("resources", "suspend");

  static AcceptedSpec of(SemiSupervisedRunSpec spec) {
    try {
      return new AcceptedSpec(JSON.writeValueAsString(fixedParts(spec)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("spec cannot be written as JSON", e);
    }
  }

  /** Top-level spec fields whose value differs from the accepted one, e.g. [sampling]. */
  List<String> changedParts(SemiSupervisedRunSpec current) {
    ObjectNode accepted = tree();
    // Through text, like the accepted one: a Long field read back from JSON is an int node.
    ObjectNode now = new AcceptedSpec(of(current).json()).tree();
    Set<String> names = new LinkedHashSet<>();
    accepted.fieldNames().forEachRemaining(names::add);
    now.fieldNames().forEachRemaining(names::add);
    List<String> changed = new ArrayList<>();
    for (String name : names) {
      JsonNode before = accepted.get(name);
      JsonNode after = now.get(name);
      if (before == null ? after != null : !before.equals(after)) {
        changed.add(name);
      }
    }
    return changed;
  }

  /** The spec Jobs run with: the accepted fixed parts with the current resources and suspend. */
  SemiSupervisedRunSpec effective(SemiSupervisedRunSpec current) {
    try {
      SemiSupervisedRunSpec spec = JSON.treeToValue(tree(), SemiSupervisedRunSpec.class);
      spec.setResources(current.getResources());
      spec.setSuspend(current.getSuspend());
      return spec;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("status.acceptedSpec is not a spec: " + e.getOriginalMessage(), e);
    }
  }

  private ObjectNode tree() {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("status.acceptedSpec is not JSON", e);
    }
  }

  private static ObjectNode fixedParts(SemiSupervisedRunSpec spec) {
    ObjectNode tree = JSON.valueToTree(spec);
    for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
      if (MUTABLE.contains(names.next())) {
        names.remove();
      }
    }
    return tree;
  }
}
