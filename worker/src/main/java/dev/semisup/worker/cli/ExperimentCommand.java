package dev.semisup.worker.cli;

import dev.semisup.api.WorkerContract;
import dev.semisup.worker.experiment.Experiment;
import dev.semisup.worker.experiment.ExperimentPlots;
import dev.semisup.worker.experiment.Grid;
import dev.semisup.worker.experiment.GridException;
import dev.semisup.worker.experiment.GridFile;
import dev.semisup.worker.experiment.GridPoint;
import dev.semisup.worker.experiment.GridPoints;
import dev.semisup.worker.experiment.OtherExperiments;
import dev.semisup.worker.experiment.Pipeline;
import dev.semisup.worker.experiment.ResultRow;
import dev.semisup.worker.experiment.ResultsTable;
import dev.semisup.worker.experiment.SeedSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code semisup experiment FILE.yaml}: every point of a grid at every seed, through the local
 * pipeline of {@code semisup run}, then results.csv, summary.csv (and summary.md, the same as a
 * Markdown table) and the grid's plots in the experiment's folder. Interrupted and started again, it goes on where it was: finished runs are
 * read back, shared teachers are not trained again, a run cut mid-step resumes from its checkpoint.
 */
@Command(name = "experiment", description = "Run a grid of SemiSupervisedRuns (axes x variants x seeds) locally;"
    + " write results.csv, summary.csv and plots. Resumes where an interrupted one stopped.")
final class ExperimentCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE.yaml", description = "The grid file.")
  Path gridFile;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "The experiment's folder: its store, results and plots (default .semisup/experiments/<name>).")
  Path dir;

  @Option(names = "--allow-large", description = "Run a grid of more than " + MAX_RUNS_TEXT
      + " runs (refused without it: a typo in an axis can multiply a grid a thousandfold).")
  boolean allowLarge;

  /** The most runs a grid may have without --allow-large. */
  static final long MAX_RUNS = 10_000;
  private static final String MAX_RUNS_TEXT = "10,000";

  @Mixin
  CommandEnvironment environment;

  @Mixin
  DataCacheOption dataCache;

  ExperimentCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws GridException, Pipeline.RunFailedException, CommandFailure {
    environment.configureThreads();
    PrintWriter out = environment.out;
    Grid grid = GridFile.read(gridFile);
    Path folder = Objects.requireNonNullElse(dir, Path.of(".semisup", "experiments", grid.name()));
    // Counted from the axes before anything is expanded: a huge grid says so at once.
    long runs = grid.size();
    out.println("semisup: experiment '" + grid.name() + "': " + (runs == Long.MAX_VALUE ? "more than " : "") + runs
        + " run(s) (" + shape(grid) + "); in " + folder.toAbsolutePath());
    out.flush();
    if (runs > MAX_RUNS && !allowLarge) {
      throw new GridException(gridFile + ": axes: the grid has " + (runs == Long.MAX_VALUE
          ? "more than " : "") + runs + " runs (" + shape(grid) + "), more than " + MAX_RUNS_TEXT
          + "; shorten its axes or seeds, or pass --allow-large to run it");
    }
    List<GridPoint> points = GridPoints.expand(grid);
    long teachers = points.stream().filter(p -> p.teacher() != null)
        .map(p -> p.teacher().getMetadata().getName()).distinct().count();
    out.println("semisup: " + teachers + " teacher(s) shared among them");
    Path cache = dataCache.directory;
    Pipeline pipeline = new LocalPipeline(new LocalRun(environment, folder.resolve("store"), cache), gridFile.toString());
    try {
      OtherExperiments others = OtherExperiments.besides(folder, other ->
          new LocalPipeline(new LocalRun(environment, other.resolve("store"), cache), gridFile.toString()));
      if (!others.folders().isEmpty()) {
        out.println("semisup: runs with the same spec, and teachers with the same inputs, are read back from the"
            + " experiments beside it: "
            + others.folders().stream().map(other -> other.getFileName().toString()).toList());
      }
      List<String> columns = grid.pointColumns();
      // Tables and plots are rewritten after every point: a grid stopped part-way leaves the runs
      // it finished tabulated and drawn (a later invocation reads them back and completes them).
      List<ResultRow> rows = new Experiment(grid, points, pipeline, folder, out, System::nanoTime,
          done -> writeResults(grid, folder, columns, done), others).run();
      List<SeedSummary.Line> summary = SeedSummary.of(rows);
      List<Path> plots = writeResults(grid, folder, columns, rows);
      printSummary(columns, summary);
      out.println("  results: " + folder.resolve("results.csv"));
      out.println("  summary: " + folder.resolve("summary.csv") + " (and summary.md)");
      plots.forEach(plot -> out.println("  plot:    " + plot));
      out.flush();
      return WorkerContract.EXIT_OK;
    } catch (IOException | RuntimeException e) {
      throw CommandFailure.of("experiment '" + grid.name() + "'", e);
    }
  }

  /** "3 variant(s) x 4 sampling.topK x 3 seed(s)": what multiplies into the grid's size. */
  private static String shape(Grid grid) {
    List<String> factors = new java.util.ArrayList<>();
    if (!grid.variants().isEmpty()) {
      factors.add(grid.variants().size() + " variant(s)");
    }
    grid.axes().forEach(axis -> factors.add(axis.values().size() + " " + axis.path()));
    factors.add(grid.seeds().size() + " seed(s)");
    return String.join(" x ", factors);
  }

  private static List<Path> writeResults(Grid grid, Path folder, List<String> columns, List<ResultRow> rows)
      throws IOException {
    ResultsTable.write(folder.resolve("results.csv"), columns, rows);
    List<SeedSummary.Line> summary = SeedSummary.of(rows);
    SeedSummary.write(folder.resolve("summary.csv"), columns, summary);
    SeedSummary.writeMarkdown(folder.resolve("summary.md"), columns, summary);
    return ExperimentPlots.write(grid, rows, folder);
  }

  private void printSummary(List<String> columns, List<SeedSummary.Line> summary) {
    PrintWriter out = environment.out;
    out.println();
    out.println("Experiment summary (mean over seeds; gain = final - teacher of the same seed, in points)");
    for (SeedSummary.Line line : summary) {
      StringBuilder text = new StringBuilder("  ");
      for (int i = 0; i < columns.size(); i++) {
        text.append(columns.get(i)).append('=').append(line.values().get(i)).append("  ");
      }
      text.append(String.format("final %s", percent(line.finalMean())));
      if (line.gainMean() != null) {
        text.append(String.format("  gain %+.2f [%+.2f, %+.2f]", line.gainMean(), line.gainMin(), line.gainMax()));
        if (!line.rangeExcludesZero().isEmpty()) {
          text.append(line.rangeExcludesZero().equals("yes") ? "  range excludes 0" : "  range includes 0");
        }
      }
      out.println(text);
    }
  }

  private static String percent(Double value) {
    return value == null ? "-" : String.format("%.2f%%", 100 * value);
  }
}
