package dev.semisup.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.worker.input.Printable;
import java.io.PrintWriter;
import java.nio.file.Path;
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
    long started = System.nanoTime();
    try {
      new LocalRun(env, out, store, dataCache).run(run, manifest.toString(), fresh, step -> true, finished -> {
        RunReport report = JSON.readValue(finished.artifacts().get(finished.layout().report()), RunReport.class);
        printReport(report, finished.artifacts().uri(finished.layout().report()),
            finished.artifacts().uri(finished.layout().reportPage()), (System.nanoTime() - started) / 1e9);
        return report;
      });
      return WorkerContract.EXIT_OK;
    } catch (LocalRun.Failure e) {
      return fail(e.exitCode(), e.getMessage());
    }
  }

  private void printReport(RunReport report, String where, String page, double seconds) {
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

  private int fail(int code, String rawMessage) {
    // Messages carry names from the data (tar members, labels, URIs): shown, never sent to the terminal.
    String message = Printable.message(rawMessage);
    err.println("semisup: " + message);
    err.flush();
    return code;
  }
}
