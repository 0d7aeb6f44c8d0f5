package dev.semisup.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.report.RunReport;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.worker.experiment.Pipeline;
import dev.semisup.worker.run.StageRunner;
import java.io.IOException;
import java.util.Optional;

/** An experiment's runs through {@link LocalRun}: the same checks and steps as {@code semisup run}. */
final class LocalPipeline implements Pipeline {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final LocalRun local;
  private final String grid;

  LocalPipeline(LocalRun local, String grid) {
    this.local = local;
    this.grid = grid;
  }

  @Override
  public Teacher teacher(SemiSupervisedRun run) throws RunFailedException {
    try {
      return local.run(run, source(run), false, step -> step.stage() == Stage.TEACHER, finished -> {
        PlannedStep teacher = finished.plan().require(Stage.TEACHER.wireName());
        boolean trainedNow = finished.outcomes().get(teacher.id()) != StageRunner.Outcome.ALREADY_DONE;
        return teacherOf(run, finished, teacher, trainedNow);
      });
    } catch (CommandFailure e) {
      throw new RunFailedException(e.exitCode(), e.getMessage());
    }
  }

  @Override
  public Optional<Teacher> finishedTeacher(SemiSupervisedRun run) throws RunFailedException {
    try {
      return local.inspect(run, finished -> {
        PlannedStep teacher = finished.plan().require(Stage.TEACHER.wireName());
        return finished.artifacts().exists(finished.layout().success(teacher))
            ? Optional.of(teacherOf(run, finished, teacher, false)) : Optional.<Teacher>empty();
      });
    } catch (CommandFailure e) {
      throw new RunFailedException(e.exitCode(), e.getMessage());
    }
  }

  private static Teacher teacherOf(SemiSupervisedRun run, LocalRun.Finished finished, PlannedStep teacher,
      boolean trainedNow) throws IOException {
    String metrics = finished.layout().metrics(teacher);
    Double accuracy = finished.artifacts().exists(metrics)
        ? JSON.readValue(finished.artifacts().get(metrics), StageMetrics.class).accuracy() : null;
    return new Teacher(run.getMetadata().getName(), finished.artifacts().uri(finished.layout().model(teacher)),
        accuracy, trainedNow);
  }

  @Override
  public Optional<RunReport> finished(SemiSupervisedRun run) throws RunFailedException {
    try {
      return local.inspect(run, finished -> {
        // The report is written just before the last step's _SUCCESS: both, or the run is not done.
        boolean done = finished.artifacts().exists(finished.layout().report())
            && finished.artifacts().exists(finished.layout().success(finished.plan().last()));
        return done ? Optional.of(JSON.readValue(finished.artifacts().get(finished.layout().report()), RunReport.class))
            : Optional.<RunReport>empty();
      });
    } catch (CommandFailure e) {
      throw new RunFailedException(e.exitCode(), e.getMessage());
    }
  }

  @Override
  public RunReport run(SemiSupervisedRun run) throws RunFailedException {
    try {
      return local.run(run, source(run), false, step -> true,
          finished -> JSON.readValue(finished.artifacts().get(finished.layout().report()), RunReport.class));
    } catch (CommandFailure e) {
      throw new RunFailedException(e.exitCode(), e.getMessage());
    }
  }

  private String source(SemiSupervisedRun run) {
    return grid + " (run " + run.getMetadata().getName() + ")";
  }
}
