package dev.semisup.worker.cli;

import dev.semisup.api.WorkerContract;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Where a pod's spec comes from: SEMISUP_SPEC (JSON), else a file (spec or whole manifest). */
final class SpecSource {

  private SpecSource() {
  }

  /** A spec, and the run's name when it came in a whole manifest (metadata.name), else null. */
  record Source(SemiSupervisedRunSpec spec, String manifestName) {
  }

  static Source read(Map<String, String> env, Path file) throws ManifestException {
    String inline = env.get(WorkerContract.ENV_SPEC);
    if (file == null && inline != null && !inline.isBlank()) {
      return new Source(Manifests.parseSpec(inline, WorkerContract.ENV_SPEC), null);
    }
    Path path = file != null ? file
        : env.containsKey(WorkerContract.ENV_SPEC_FILE) ? Path.of(env.get(WorkerContract.ENV_SPEC_FILE)) : null;
    if (path == null) {
      throw new ManifestException("semisup stage", List.of(new Problem(WorkerContract.ENV_SPEC,
          "is not set: pass the run spec as JSON in " + WorkerContract.ENV_SPEC + ", or a file with --spec-file or "
              + WorkerContract.ENV_SPEC_FILE)));
    }
    String text = Manifests.readText(path);
    if (text.contains("kind:") || text.contains("\"kind\"")) {
      SemiSupervisedRun run = Manifests.parse(text, path.toString());
      return new Source(run.getSpec(), run.getMetadata() == null ? null : run.getMetadata().getName());
    }
    return new Source(Manifests.parseSpec(text, path.toString()), null);
  }
}
