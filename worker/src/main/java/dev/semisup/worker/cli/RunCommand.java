package dev.semisup.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.Problem;
import dev.semisup.api.validation.SpecValidator;
import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.data.Preflight;
import dev.semisup.worker.input.InvalidSettingException;
import dev.semisup.worker.run.LegacyStepRecords;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code semisup run FILE.yaml}: the whole plan on this machine, with a local directory as the
 * object store (same layout as S3). Steps already done (their _SUCCESS exists, with the same
 * inputs) are skipped and a training step resumes from its newest checkpoint, so an interrupted
 * run continues where it was, and a corrected manifest redoes only the steps its change feeds.
 * The prefix must be this run's (its run marker); {@code --fresh} deletes only this run's objects.
 */
@Command(name = "run", description = "Run a SemiSupervisedRun manifest locally: teacher, sampling, student, fine-tuning.")
final class RunCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(index = "0", paramLabel = "FILE.yaml", description = "The run manifest.")
  Path manifest;

  @Option(names = "--store", paramLabel = "DIR", defaultValue = ".semisup/store",
      description = "Local object store directory (default ${DEFAULT-VALUE}); ignored when the manifest names an S3 endpoint.")
  Path store;

  @Option(names = "--fresh", description = "Delete this run's artifacts in the store first, instead of resuming.")
  boolean fresh;

  @Option(names = "--data-cache", paramLabel = "DIR", description = "Where downloaded demo data is kept (default ~/.cache/semisup).")
  Path dataCache;

  private final Map<String, String> env;
  private final PrintWriter out;
  private final PrintWriter err;

  RunCommand(Map<String, String> env, PrintWriter out, PrintWriter err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    Threads.configure(env);
    SemiSupervisedRun run;
    try {
      run = Manifests.read(manifest);
    } catch (ManifestException e) {
      return fail(WorkerContract.EXIT_BAD_INPUT, e.getMessage());
    }
    SemiSupervisedRunSpec spec = run.getSpec();
    // The name becomes a path in the store: checked (with the spec) before anything touches it.
    List<Problem> problems = SpecValidator.validate(run, SpecValidator.Target.LOCAL);
    if (!problems.isEmpty()) {
      return fail(WorkerContract.EXIT_BAD_INPUT, new ManifestException(manifest.toString(), problems).getMessage());
    }
    String name = run.getMetadata().getName();
    try {
      FashionMnist.locate(spec, dataCache != null ? dataCache
          : Path.of(System.getProperty("user.home"), ".cache", "semisup", "fashion-mnist"), out);
    } catch (IOException e) {
      return fail(WorkerContract.EXIT_BAD_INPUT, manifest + ": cannot find the demo data: " + e.getMessage());
    }

    try (StoreConnection connection = StoreConnection.open(spec.getStorage(), env, store)) {
      if (connection.isLocal()) {
        List<Problem> overlaps = LocalStorePlacement.overlaps(connection.localDirectory(), spec);
        if (!overlaps.isEmpty()) {
          return fail(WorkerContract.EXIT_BAD_INPUT, new ManifestException(manifest.toString(), overlaps).getMessage());
        }
      }
      Blobs blobs = connection.dataBlobs();
      List<Problem> missing = missingData(spec, blobs);
      if (!missing.isEmpty()) {
        return fail(WorkerContract.EXIT_BAD_INPUT, new ManifestException(manifest.toString(), missing).getMessage());
      }
      ObjectStore artifacts = connection.artifactStore();
      try {
        artifacts.checkReachable();
      } catch (IOException e) {
        return fail(WorkerContract.EXIT_BAD_INPUT, "the store cannot be used: " + e.getMessage());
      }
      // Every data source opened and checked before any step, and before the store is written.
      List<Problem> badData = Preflight.check(spec, blobs);
      if (!badData.isEmpty()) {
        return fail(WorkerContract.EXIT_BAD_INPUT, new ManifestException(manifest.toString(), badData).getMessage());
      }
      ObjectLayout layout = new ObjectLayout(spec.getStorage().resolvedPrefix(RunMarker.LOCAL_NAMESPACE, name));
      RunOwnership.claim(artifacts, layout, RunMarker.local(name), spec.getStorage().reusesArtifacts());
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
      StageContext base = new StageContext(name, spec, plan, plan.steps().get(0), 0, layout, artifacts, blobs, progress,
          Clock.systemUTC(), Duration.ofSeconds(3));
      long started = System.nanoTime();
      for (PlannedStep step : plan.steps()) {
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
        }
      }
      RunReport report = JSON.readValue(artifacts.get(layout.report()), RunReport.class);
      printReport(report, artifacts.uri(layout.report()), (System.nanoTime() - started) / 1e9);
      return WorkerContract.EXIT_OK;
    } catch (BadInputException | BadDataException | InvalidSettingException e) {
      return fail(WorkerContract.EXIT_BAD_INPUT, e.getMessage());
    } catch (IOException | RuntimeException e) {
      return fail(WorkerContract.EXIT_FAILURE, "run '" + name + "' failed: " + FailureMessages.describe(e));
    }
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

  private void printReport(RunReport report, String where, double seconds) {
    out.println();
    out.println("Run '" + report.run() + "' finished in " + Math.round(seconds) + " s");
    for (RunReport.Round round : report.rounds()) {
      if (report.rounds().size() > 1) {
        out.println("  round " + round.round());
      }
      out.printf("  %-46s %s%n", "teacher (labeled set only)", percent(round.teacherAccuracy()));
      out.printf("  %-46s %s%n", "student, pre-trained on the sampled index", percent(round.studentAccuracy()));
      String gain = round.teacherAccuracy() == null || round.finalAccuracy() == null ? ""
          : String.format("  (%+.2f points over the teacher)", 100 * (round.finalAccuracy() - round.teacherAccuracy()));
      out.printf("  %-46s %s%s%n", "student, fine-tuned (final)", percent(round.finalAccuracy()), gain);
      out.printf("  %-46s %d%n", "sampled images (index entries)", round.sampledImages());
      if (round.pseudoLabelPrecision() != null) {
        out.printf("  %-46s %s%n", "pseudo-label precision (pool's hidden labels)", percent(round.pseudoLabelPrecision()));
      }
      if (round.skippedImages() != null) {
        out.printf("  %-46s %d%n", "pool images skipped (corrupt or oversized)", round.skippedImages());
      }
    }
    out.println("  report: " + where);
    out.flush();
  }

  private static String percent(Double value) {
    return value == null ? "-" : String.format("%.2f%%", 100 * value);
  }

  private int fail(int code, String message) {
    err.println("semisup: " + message);
    err.flush();
    return code;
  }
}
