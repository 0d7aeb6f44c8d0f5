package dev.semisup.worker.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Runs the points of a grid one after another through the pipeline, resumably: a run that
 * finished (in this or an earlier invocation) is not run again, its report is read back; a
 * teacher shared by several points is trained once and given to each as {@code teacher.checkpoint};
 * a run that was interrupted resumes inside the pipeline (steps done are skipped, training resumes
 * from its newest checkpoint). Prints a line per run and an estimate of the time left.
 *
 * <p>Each run's wall time is recorded in {@code runs/<run>.json} under the experiment's folder when
 * it finishes, so the table shows it after a resume too. A run that another experiment beside this
 * one finished with the same spec ({@link OtherExperiments}) is read back from there, not run again;
 * a teacher one of them trained with the same inputs is used from there, not trained again (one
 * finished here comes first, so a resumed grid keeps giving its runs the teacher they started with).
 */
public final class Experiment {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Told the rows of every point done so far, in grid order, after each point. */
  @FunctionalInterface
  public interface RowsSoFar {
    void update(List<ResultRow> rows) throws IOException;
  }

  /** What {@code runs/<run>.json} holds. */
  record TimeRecord(String run, double seconds) {
  }

  private final Grid grid;
  private final List<GridPoint> points;
  private final Pipeline pipeline;
  private final Path folder;
  private final PrintWriter out;
  private final LongSupplier nanos;
  private final RowsSoFar rowsSoFar;
  private final OtherExperiments others;
  /**
   * Method runs and teachers found finished (here or beside) when the grid started: no time left is
   * spent on them, and the loop reads them from here rather than inspecting the stores again.
   */
  private final Map<String, FinishedRun> runsFinishedAtStart = new HashMap<>();
  private final Map<String, OtherExperiments.TrainedTeacher> teachersFinishedAtStart = new HashMap<>();
  /** The folder whose runs/ records each known teacher's time: this one, or the experiment's that trained it. */
  private final Map<String, Path> teacherFolders = new HashMap<>();

  public Experiment(Grid grid, List<GridPoint> points, Pipeline pipeline, Path folder, PrintWriter out, LongSupplier nanos,
      RowsSoFar rowsSoFar, OtherExperiments others) {
    this.grid = grid;
    this.points = List.copyOf(points);
    this.pipeline = pipeline;
    this.folder = folder;
    this.out = out;
    this.nanos = nanos;
    this.rowsSoFar = rowsSoFar;
    this.others = others;
  }

  public List<ResultRow> run() throws Pipeline.RunFailedException, IOException {
    Files.createDirectories(folder.resolve("runs"));
    Map<String, Pipeline.Teacher> teachers = new HashMap<>();
    List<ResultRow> rows = new ArrayList<>();
    List<String> columns = grid.pointColumns();
    double timedSeconds = 0;
    int timedRuns = 0;
    noteFinishedAtStart();
    for (GridPoint point : points) {
      String where = "[" + (point.index() + 1) + "/" + points.size() + "] " + point.describe(columns);
      long started = nanos.getAsLong();
      Optional<FinishedRun> done = finishedBefore(point);
      ResultRow row;
      boolean ranNow;
      if (done.isPresent()) {
        FinishedRun finished = done.get();
        out.println(where + ": " + finished.readBack());
        Double teacherAccuracy = teacherAccuracy(point, teachers, finished.report(), where);
        row = row(point, finished.run(), teacherAccuracy, finished.report(), finished.seconds());
        ranNow = false;
      } else {
        out.println(where + ": " + (point.supervised() ? "supervised, teacher " + point.resultRun() : "run " + point.runName()));
        out.flush();
        // Known in this invocation: a supervised point sharing it costs nothing, so it is not timed.
        boolean teacherKnown = point.teacher() != null && teachers.containsKey(point.teacher().getMetadata().getName());
        Pipeline.Teacher teacher = point.teacher() == null ? null : teacher(point, teachers, where);
        if (point.supervised()) {
          String teacherName = point.teacher().getMetadata().getName();
          Double seconds = recordedSeconds(teacherFolders.get(teacherName), teacher.run());
          row = new ResultRow(point.values(), point.seed(), teacher.run(), teacher.accuracy(), null,
              teacher.accuracy(), null, null, seconds);
          ranNow = teacher.trainedNow() && !teacherKnown;
        } else {
          SemiSupervisedRun run = point.manifest();
          if (teacher != null) {
            run.getSpec().getTeacher().setCheckpoint(teacher.modelUri());
          }
          long runStarted = nanos.getAsLong();
          RunReport report = pipeline.run(run);
          double seconds = (nanos.getAsLong() - runStarted) / 1e9;
          record(point.runName(), seconds);
          row = row(point, point.runName(), teacher == null ? report.teacherAccuracy() : teacher.accuracy(), report,
              seconds);
          ranNow = true;
        }
      }
      rows.add(row);
      rowsSoFar.update(List.copyOf(rows));
      if (ranNow) {
        timedSeconds += (nanos.getAsLong() - started) / 1e9;
        timedRuns++;
      }
      out.println(where + ": " + summary(row) + "; " + timeLeft(runsLeft(point.index(), teachers), timedSeconds, timedRuns));
      out.flush();
    }
    return rows;
  }

  /** The point's run, finished before: in this experiment, or by one beside it with the same spec. */
  private Optional<FinishedRun> finishedBefore(GridPoint point) throws Pipeline.RunFailedException, IOException {
    if (point.supervised()) {
      return Optional.empty();
    }
    FinishedRun atStart = runsFinishedAtStart.get(point.runName());
    if (atStart != null) {
      return Optional.of(atStart);
    }
    Optional<RunReport> here = pipeline.finished(point.manifest());
    if (here.isPresent()) {
      return Optional.of(new FinishedRun(null, point.runName(), here.get(), recordedSeconds(folder, point.runName())));
    }
    return others.find(point);
  }

  private Pipeline.Teacher teacher(GridPoint point, Map<String, Pipeline.Teacher> teachers, String where)
      throws Pipeline.RunFailedException, IOException {
    String name = point.teacher().getMetadata().getName();
    Pipeline.Teacher known = teachers.get(name);
    if (known != null) {
      return known;
    }
    Pipeline.Teacher teacher;
    OtherExperiments.TrainedTeacher trained = teachersFinishedAtStart.containsKey(name) ? teachersFinishedAtStart.get(name)
        : trainedTeacher(point.teacher()).orElse(null);
    if (trained != null && !trained.folder().equals(folder)) {
      // Its checkpoint is used where it lies: the runs given it read it from the other folder.
      teacher = trained.teacher();
      out.println(where + ": teacher " + name + " already trained by experiment '" + trained.experiment()
          + "' (" + teacher.run() + ", the same inputs)");
      teacherFolders.put(name, trained.folder());
    } else {
      long started = nanos.getAsLong();
      // A teacher found finished in this folder comes back with trainedNow false, as the pipeline's does.
      teacher = trained != null ? trained.teacher() : pipeline.teacher(point.teacher());
      double seconds = (nanos.getAsLong() - started) / 1e9;
      if (teacher.trainedNow()) {
        record(name, seconds);
        out.println(where + ": teacher " + name + " trained in " + Math.round(seconds) + " s");
      } else {
        out.println(where + ": teacher " + name + " already trained here");
      }
      teacherFolders.put(name, folder);
    }
    teachers.put(name, teacher);
    return teacher;
  }

  /** The teacher trained already: in this experiment's store first (a resumed grid keeps its own), else beside it. */
  private Optional<OtherExperiments.TrainedTeacher> trainedTeacher(SemiSupervisedRun teacherRun)
      throws Pipeline.RunFailedException, IOException {
    Optional<Pipeline.Teacher> here = pipeline.finishedTeacher(teacherRun);
    if (here.isPresent()) {
      return Optional.of(new OtherExperiments.TrainedTeacher(folder, here.get()));
    }
    return others.findTeacher(teacherRun);
  }

  /** A finished run given a teacher checkpoint reports no teacher accuracy: the shared teacher's is read. */
  private Double teacherAccuracy(GridPoint point, Map<String, Pipeline.Teacher> teachers, RunReport report, String where)
      throws Pipeline.RunFailedException, IOException {
    if (point.teacher() == null) {
      return report.teacherAccuracy();
    }
    return teacher(point, teachers, where).accuracy();
  }

  private static ResultRow row(GridPoint point, String run, Double teacherAccuracy, RunReport report, Double seconds) {
    return new ResultRow(point.values(), point.seed(), run, teacherAccuracy, report.studentAccuracy(),
        report.finalAccuracy(), report.pseudoLabelPrecision(), report.sampledImages(), seconds);
  }

  private void record(String run, double seconds) throws IOException {
    ResultsTable.writeWhole(folder.resolve("runs").resolve(run + ".json"),
        JSON.writeValueAsString(new TimeRecord(run, seconds)));
  }

  /** The wall time recorded for {@code run} in an experiment's folder; null when none was. */
  static Double recordedSeconds(Path folder, String run) throws IOException {
    Path file = folder.resolve("runs").resolve(run + ".json");
    return Files.exists(file) ? JSON.readValue(file.toFile(), TimeRecord.class).seconds() : null;
  }

  private static String summary(ResultRow row) {
    StringBuilder text = new StringBuilder();
    text.append("teacher ").append(percent(row.teacherAccuracy()));
    if (row.studentAccuracy() != null) {
      text.append(", student ").append(percent(row.studentAccuracy()));
    }
    text.append(", final ").append(percent(row.finalAccuracy()));
    if (row.indexSize() != null) {
      text.append(", index ").append(row.indexSize());
    }
    if (row.pseudoLabelPrecision() != null) {
      text.append(", precision ").append(percent(row.pseudoLabelPrecision()));
    }
    return text.toString();
  }

  /**
   * Notes the method runs and the teachers that are finished already, in this experiment or one
   * beside it: they are read back, so the time left does not count them (a K sweep beside the
   * selection grid has 6 of its 18 runs done before it starts), and the loop takes them from here.
   */
  void noteFinishedAtStart() throws Pipeline.RunFailedException, IOException {
    for (GridPoint point : points) {
      if (!point.supervised()) {
        finishedBefore(point).ifPresent(finished -> runsFinishedAtStart.put(point.runName(), finished));
      }
      if (point.teacher() != null) {
        String teacher = point.teacher().getMetadata().getName();
        if (!teachersFinishedAtStart.containsKey(teacher)) {
          trainedTeacher(point.teacher()).ifPresent(trained -> teachersFinishedAtStart.put(teacher, trained));
        }
      }
    }
  }

  /**
   * The runs still to make after the point at {@code index}: every method point not finished when
   * the grid started, and a supervised point only when its teacher is neither trained yet (here, by
   * then, or beside) nor trained by an earlier point left (the headline's all-labels rows share one
   * teacher across the label budgets).
   */
  int runsLeft(int index, Map<String, Pipeline.Teacher> teachers) {
    Set<String> toTrain = new HashSet<>();
    int left = 0;
    for (GridPoint point : points.subList(index + 1, points.size())) {
      if (!point.supervised()) {
        if (!runsFinishedAtStart.containsKey(point.runName())) {
          left++;
        }
      } else {
        String teacher = point.teacher().getMetadata().getName();
        if (!teachers.containsKey(teacher) && !teachersFinishedAtStart.containsKey(teacher) && toTrain.add(teacher)) {
          left++;
        }
      }
    }
    return left;
  }

  /** Runs left times the mean time of the runs that ran in this invocation (teachers included). */
  static String timeLeft(int runsLeft, double timedSeconds, int timedRuns) {
    if (runsLeft == 0) {
      return "no run left to make";
    }
    if (timedRuns == 0) {
      return runsLeft + " run(s) left, time left unknown until one has run";
    }
    long seconds = Math.round(runsLeft * timedSeconds / timedRuns);
    String left = seconds >= 3600 ? String.format("%d h %02d min", seconds / 3600, (seconds % 3600) / 60)
        : seconds >= 60 ? (seconds / 60) + " min" : seconds + " s";
    return runsLeft + " run(s) left, about " + left + " (at the mean of the " + timedRuns + " run(s) timed now)";
  }

  private static String percent(Double value) {
    return value == null ? "-" : String.format("%.2f%%", 100 * value);
  }
}
