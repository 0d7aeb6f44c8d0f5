package dev.semisup.worker.experiment;

import dev.semisup.api.report.RunReport;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The runs that other experiments beside this one finished: the folders next to this experiment's
 * that hold {@code runs/} records and a store. Grids overlap by design (a K sweep's K = 5000 point
 * is the headline's method run at 100 labels per class) and a method run costs minutes to hours,
 * so a point whose spec another grid already ran is read back from there. Run names end in the
 * hash of the spec ({@code <grid>-<hash>}); the same hash is the same spec, teacher settings
 * included, so the other grid's run is this point's run under another name. Teachers likewise
 * ({@code <grid>-teacher-<hash>}, the hash of the teacher step's inputs): most grids start from
 * the same base and seeds, so one grid's teachers are the next one's.
 */
public final class OtherExperiments {

  /** The pipeline over another experiment's folder (its store), to read its runs. */
  @FunctionalInterface
  public interface Pipelines {
    Pipeline over(Path folder);
  }

  /** A teacher trained already, and the folder of the experiment that trained it (another, or this one). */
  record TrainedTeacher(Path folder, Pipeline.Teacher teacher) {

    String experiment() {
      return folder.getFileName().toString();
    }
  }

  private static final String TEACHER = "-teacher-";

  private final List<Path> folders;
  private final Pipelines pipelines;

  private OtherExperiments(List<Path> folders, Pipelines pipelines) {
    this.folders = List.copyOf(folders);
    this.pipelines = pipelines;
  }

  public static OtherExperiments none() {
    return new OtherExperiments(List.of(), folder -> {
      throw new IllegalStateException("no other experiments");
    });
  }

  /** The experiment folders next to {@code folder}: its siblings that hold runs/ and store/. */
  public static OtherExperiments besides(Path folder, Pipelines pipelines) throws IOException {
    Path self = folder.toAbsolutePath().normalize();
    Path parent = self.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return none();
    }
    try (Stream<Path> children = Files.list(parent)) {
      return new OtherExperiments(children.filter(child -> !child.equals(self))
          .filter(child -> Files.isDirectory(child.resolve("runs")) && Files.isDirectory(child.resolve("store")))
          .sorted().toList(), pipelines);
    }
  }

  public List<Path> folders() {
    return folders;
  }

  /** The first other experiment (by folder name) that finished the point's run; empty if none did. */
  Optional<FinishedRun> find(GridPoint point) throws Pipeline.RunFailedException, IOException {
    for (Path folder : folders) {
      for (String run : recordedRuns(folder, "-" + point.specHash())) {
        Optional<RunReport> report = pipelines.over(folder).finished(renamed(point.manifest(), run));
        if (report.isPresent()) {
          return Optional.of(new FinishedRun(folder.getFileName().toString(), run, report.get(),
              Experiment.recordedSeconds(folder, run)));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The first other experiment (by folder name) whose teacher of the same inputs finished: the
   * {@code teacher} run's name ends in their hash. Empty if none did, or if the run is not named
   * as a grid's teacher.
   */
  Optional<TrainedTeacher> findTeacher(SemiSupervisedRun teacher) throws Pipeline.RunFailedException, IOException {
    String name = teacher.getMetadata().getName();
    int hash = name.lastIndexOf(TEACHER);
    if (hash < 0) {
      return Optional.empty();
    }
    for (Path folder : folders) {
      for (String run : recordedRuns(folder, name.substring(hash))) {
        Optional<Pipeline.Teacher> trained = pipelines.over(folder).finishedTeacher(renamed(teacher, run));
        if (trained.isPresent()) {
          return Optional.of(new TrainedTeacher(folder, trained.get()));
        }
      }
    }
    return Optional.empty();
  }

  /** The runs {@code folder} recorded ({@code runs/<run>.json}) whose names end in {@code suffix}, sorted. */
  private static List<String> recordedRuns(Path folder, String suffix) throws IOException {
    String file = suffix + ".json";
    try (Stream<Path> records = Files.list(folder.resolve("runs"))) {
      return records.map(record -> record.getFileName().toString()).filter(name -> name.endsWith(file))
          .map(name -> name.substring(0, name.length() - ".json".length())).sorted().toList();
    }
  }

  /** The same spec under another experiment's run name. */
  private static SemiSupervisedRun renamed(SemiSupervisedRun run, String name) {
    SemiSupervisedRun there = new SemiSupervisedRun();
    there.setMetadata(new ObjectMetaBuilder().withName(name).build());
    there.setSpec(run.getSpec());
    return there;
  }
}
