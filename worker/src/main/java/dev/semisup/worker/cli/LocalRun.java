package dev.semisup.worker.cli;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.Problem;
import dev.semisup.api.validation.SpecValidator;
import dev.semisup.worker.data.Preflight;
import dev.semisup.worker.run.LegacyStepRecords;
import dev.semisup.worker.run.RunLock;
import dev.semisup.worker.run.RunOwnership;
import dev.semisup.worker.run.StageRunner;
import dev.semisup.worker.stages.BadInputException;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.ObjectStore;
import dev.semisup.worker.store.StoreConnection;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The local embedded mode's one pipeline, shared by {@code semisup run} and
 * {@code semisup experiment}: every check before the store is touched (spec, demo data, store
 * placement, data present and readable), the run marker, then the plan's steps through
 * {@link StageRunner}, so steps already done with the same inputs are skipped and training resumes
 * from its newest checkpoint. A failure is a {@link CommandFailure}: exit 2 for input the user can fix.
 */
final class LocalRun {

  /** What to read from the store once the steps are done (the store is open only inside the run). */
  @FunctionalInterface
  interface Result<T> {
    T read(Finished run) throws IOException;
  }

  /** A run whose chosen steps are done: where its artifacts are, and what each step did. */
  record Finished(ObjectStore artifacts, ObjectLayout layout, StagePlan plan, Map<String, StageRunner.Outcome> outcomes) {
  }

  private final Map<String, String> env;
  private final PrintWriter out;
  private final Path store;
  private final Path dataCache;

  LocalRun(CommandEnvironment environment, Path store, Path dataCache) {
    this.env = environment.env;
    this.out = environment.out;
    this.store = store;
    this.dataCache = dataCache;
  }

  /**
   * Runs the steps of the plan that {@code steps} accepts (all, for {@code semisup run}), then
   * reads the result. {@code source} (the manifest's file, or a grid point) is named in errors.
   */
  <T> T run(SemiSupervisedRun run, String source, boolean fresh, Predicate<PlannedStep> steps, Result<T> result)
      throws CommandFailure {
    String name = run.getMetadata() == null ? null : run.getMetadata().getName();
    try {
      return runChecked(run, source, fresh, steps, result);
    } catch (ManifestException | IOException | RuntimeException e) {
      throw CommandFailure.of("run '" + name + "'", e);
    }
  }

  private <T> T runChecked(SemiSupervisedRun run, String source, boolean fresh, Predicate<PlannedStep> steps,
      Result<T> result) throws ManifestException, IOException {
    SemiSupervisedRunSpec spec = run.getSpec();
    // The name becomes a path in the store: checked (with the spec) before anything touches it.
    List<Problem> problems = SpecValidator.validate(run, SpecValidator.Target.LOCAL);
    if (!problems.isEmpty()) {
      throw new ManifestException(source, problems);
    }
    String name = run.getMetadata().getName();
    try {
      FashionMnist.locate(spec, dataCache != null ? dataCache
          : Path.of(System.getProperty("user.home"), ".cache", "semisup", "fashion-mnist"), out);
    } catch (IOException e) {
      throw new BadInputException(source + ": cannot find the demo data: " + e.getMessage(), e);
    }

    try (StoreConnection connection = StoreConnection.open(spec.getStorage(), env, store)) {
      if (connection.isLocal()) {
        List<Problem> overlaps = LocalStorePlacement.overlaps(connection.localDirectory(), spec);
        if (!overlaps.isEmpty()) {
          throw new ManifestException(source, overlaps);
        }
      }
      Blobs blobs = connection.dataBlobs();
      List<Problem> missing = missingData(spec, blobs);
      if (!missing.isEmpty()) {
        throw new ManifestException(source, missing);
      }
      ObjectStore artifacts = connection.artifactStore();
      try {
        artifacts.checkReachable();
      } catch (IOException e) {
        throw new BadInputException("the store cannot be used: " + e.getMessage(), e);
      }
      // Every data source opened and checked before any step, and before the store is written.
      List<Problem> badData = Preflight.check(spec, blobs);
      if (!badData.isEmpty()) {
        throw new ManifestException(source, badData);
      }
      ObjectLayout layout = layout(spec, name);
      RunOwnership.claim(artifacts, layout, RunMarker.local(name), spec.getStorage().reusesArtifacts());
      // One writer per run: a second `semisup run` of it is refused, naming the first.
      try (RunLock lock = RunLock.acquire(artifacts, layout, RunMarker.local(name).describe())) {
        if (fresh) {
          RunOwnership.deleteOwnArtifacts(artifacts, layout);
        }
        // A changed spec is no reason to refuse: each step compares its own recorded inputs and is
        // redone (or only evaluated again) when they changed; the rest is kept.
        LegacyStepRecords.backfill(artifacts, layout);
        artifacts.putString(layout.specSnapshot(), Manifests.toJson(spec));

        out.println("semisup: run '" + name + "', artifacts in " + artifacts.uri(layout.prefix()));
        StagePlan plan = StagePlan.of(spec);
        TerminalProgress progress = new TerminalProgress(out, System.console() != null);
        StageContext base = StageContext.builder(name, spec).plan(plan).step(plan.steps().get(0), 0)
            .artifacts(layout, artifacts).data(blobs).progress(progress, StageContext.PROGRESS_INTERVAL).build();
        Map<String, StageRunner.Outcome> outcomes = new java.util.LinkedHashMap<>();
        for (PlannedStep step : plan.steps()) {
          if (!steps.test(step)) {
            continue;
          }
          for (int shard = 0; shard < step.shards(); shard++) {
            StageContext context = base.withStep(step, shard);
            if (shard == 0) {
              switch (StageRunner.state(context)) {
                case INPUTS_CHANGED -> out.println("  " + step.id() + ": its inputs changed since it ran: running it again");
                case VALIDATION_CHANGED -> out.println("  " + step.id() + ": the validation set changed: evaluating its model again");
                default -> { }
              }
            }
            StageRunner.Outcome outcome = StageRunner.run(context);
            if (outcome == StageRunner.Outcome.ALREADY_DONE) {
              out.println("  " + step.id() + (step.sharded() ? " shard " + shard : "") + ": already done");
            }
            // A sharded step ran when any of its shards ran.
            outcomes.merge(step.id(), outcome, (a, b) -> a == StageRunner.Outcome.ALREADY_DONE ? b : a);
          }
        }
        return result.read(new Finished(artifacts, layout, plan, outcomes));
      }
    }
  }

  /** Reads what a run left in the store, running nothing and writing nothing. */
  <T> T inspect(SemiSupervisedRun run, Result<T> result) throws CommandFailure {
    SemiSupervisedRunSpec spec = run.getSpec();
    String name = run.getMetadata().getName();
    try (StoreConnection connection = StoreConnection.open(spec.getStorage(), env, store)) {
      return result.read(new Finished(connection.artifactStore(), layout(spec, name), StagePlan.of(spec), Map.of()));
    } catch (IOException | RuntimeException e) {
      throw CommandFailure.of("reading run '" + name + "'", e);
    }
  }

  /**
   * Where a run made on this machine keeps its artifacts: the prefix of its name in the local
   * namespace. {@code semisup run}, {@code experiment}, {@code report} and a local {@code semisup
   * stage} of the same manifest all find the run there.
   */
  static ObjectLayout layout(SemiSupervisedRunSpec spec, String name) {
    return new ObjectLayout(spec.getStorage().resolvedPrefix(RunMarker.LOCAL_NAMESPACE, name));
  }

  private static List<Problem> missingData(SemiSupervisedRunSpec spec, Blobs blobs) {
    List<Problem> problems = new ArrayList<>();
    String[] names = {"labeled", "unlabeled", "validation"};
    DataSourceSpec[] sources = {spec.getData().getLabeled(), spec.getData().getUnlabeled(), spec.getData().getValidation()};
    for (int i = 0; i < names.length; i++) {
      check(blobs, "spec.data." + names[i] + ".uri", sources[i].getUri(), problems);
      if (sources[i].getLabelsUri() != null) {
        check(blobs, "spec.data." + names[i] + ".labelsUri", sources[i].getLabelsUri(), problems);
      }
    }
    return problems;
  }

  private static void check(Blobs blobs, String field, String uri, List<Problem> problems) {
    try {
      if (uri.endsWith("/")) {
        if (blobs.list(uri).isEmpty()) {
          problems.add(new Problem(field, uri + " is empty or does not exist"));
        }
      } else {
        blobs.size(uri);
      }
    } catch (FileNotFoundException e) {
      problems.add(new Problem(field, uri + " does not exist"));
    } catch (IOException | RuntimeException e) {
      problems.add(new Problem(field, uri + " cannot be read: " + e.getMessage()));
    }
  }
}
