package dev.semisup.worker.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps finished before steps recorded their inputs (inputs.json) were vouched for by the run's
 * spec snapshot (spec.json) alone. Before a local run replaces that snapshot, each such step gets
 * the record its snapshot implies, so a changed manifest redoes exactly what it would have, had
 * the records been there from the start.
 */
public final class LegacyStepRecords {

  private static final Logger LOG = LoggerFactory.getLogger(LegacyStepRecords.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private LegacyStepRecords() {
  }

  /** Writes the missing inputs.json of finished steps from the spec snapshot at the prefix, if there is one. */
  public static void backfill(ObjectStore store, ObjectLayout layout) throws IOException {
    if (!store.exists(layout.specSnapshot())) {
      return;
    }
    SemiSupervisedRunSpec snapshot;
    try {
      snapshot = Manifests.parseSpec(store.getString(layout.specSnapshot()), store.uri(layout.specSnapshot()));
    } catch (ManifestException unreadable) {
      LOG.warn("{} cannot be read as a spec; finished steps without inputs.json count as done", store.uri(layout.specSnapshot()));
      return;
    }
    StagePlan plan = StagePlan.of(snapshot);
    for (PlannedStep step : plan.steps()) {
      if (!store.exists(layout.stepInputs(step)) && started(store, layout, step)) {
        store.put(layout.stepInputs(step), JSON.writeValueAsBytes(plan.inputs(snapshot, step)));
      }
    }
  }

  private static boolean started(ObjectStore store, ObjectLayout layout, PlannedStep step) throws IOException {
    return !store.list(layout.folder(step) + "/").isEmpty();
  }
}
