package dev.semisup.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Mixin
  CommandEnvironment environment;

  @Mixin
  DataCacheOption dataCache;

  RunCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws ManifestException, CommandFailure {
    environment.configureThreads();
    SemiSupervisedRun run = Manifests.read(manifest);
    long started = System.nanoTime();
    new LocalRun(environment, store, dataCache.directory).run(run, manifest.toString(), fresh,
        step -> true, finished -> {
          RunReport report = JSON.readValue(finished.artifacts().get(finished.layout().report()), RunReport.class);
          printReport(report, finished.artifacts().uri(finished.layout().report()),
              finished.artifacts().uri(finished.layout().reportPage()), (System.nanoTime() - started) / 1e9);
          return report;
        });
    return WorkerContract.EXIT_OK;
  }

  private void printReport(RunReport report, String where, String page, double seconds) {
    PrintWriter out = environment.out;
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
    out.println("  page:   " + page);
    out.flush();
  }

  private static String percent(Double value) {
    return value == null ? "-" : String.format("%.2f%%", 100 * value);
  }
}
