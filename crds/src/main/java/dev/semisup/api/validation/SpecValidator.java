package dev.semisup.api.validation;

import dev.semisup.api.naming.RunName;
import dev.semisup.api.naming.StorePrefix;
import dev.semisup.api.v1alpha1.Architecture;
import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.EngineType;
import dev.semisup.api.v1alpha1.GeometryLimits;
import dev.semisup.api.v1alpha1.TrainerSpec;
import dev.semisup.api.plan.StepEngine;
import dev.semisup.api.v1alpha1.NoiseSpec;
import dev.semisup.api.v1alpha1.ResourcesSpec;
import dev.semisup.api.v1alpha1.SamplingSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.StorageSpec;
import dev.semisup.api.v1alpha1.TeacherInputSpec;
import dev.semisup.api.v1alpha1.TeacherSpec;
import dev.semisup.api.v1alpha1.TrainingSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.v1alpha1.StepResourcesSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoublePredicate;
import java.util.regex.Pattern;

/**
 * Checks a spec and returns every problem at once, each with its field path, so a user fixes a
 * manifest in one go. Pure: no I/O (whether a file exists is the worker's check).
 */
public final class SpecValidator {

  /** Where the run will execute: a cluster needs an S3 endpoint; local mode may use a directory. */
  public enum Target { LOCAL, CLUSTER }

  private static final Pattern URI = Pattern.compile("^(s3://[^/]+/.*|file:///?.+)$");
  private static final Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");

  private SpecValidator() {
  }

  /**
   * A whole run: its name by {@link RunName} (before anything touches the store, so a bad name
   * never reaches a path) and its spec.
   */
  public static List<Problem> validate(SemiSupervisedRun run, Target target) {
    List<Problem> problems = new ArrayList<>();
    String name = run.getMetadata() == null ? null : run.getMetadata().getName();
    RunName.problem(name).ifPresent(message -> problems.add(new Problem("metadata.name", message)));
    problems.addAll(validate(run.getSpec(), target));
    return problems;
  }

  public static List<Problem> validate(SemiSupervisedRunSpec spec, Target target) {
    List<Problem> problems = new ArrayList<>();
    if (spec == null) {
      problems.add(new Problem("spec", "is missing"));
      return problems;
    }
    storage(spec.getStorage(), target, problems);
    data(spec.getData(), problems);
    if (spec.getTeacher() == null) {
      problems.add(new Problem("spec.teacher", "is required"));
    } else {
      teacher(spec.getTeacher(), problems);
    }
    if (spec.getStudent() == null) {
      problems.add(new Problem("spec.student", "is required"));
    } else {
      architecture("spec.student.architecture", spec.getStudent().getArchitecture(), problems);
      training("spec.student.training", spec.getStudent().getTraining(), problems);
      training("spec.student.finetuning", spec.getStudent().getFinetuning(), problems);
      noise(spec.getStudent().getNoise(), problems);
    }
    sampling(spec.getSampling(), spec.getData() == null ? null : spec.getData().getClasses(), problems);
    packedImages(spec.getSampling(), spec.getData(), problems);
    if (spec.getRounds() == null || spec.getRounds() < 1 || spec.getRounds() > 10) {
      problems.add(new Problem("spec.rounds", "must be between 1 and 10, was " + spec.getRounds()));
    }
    resources(spec.getResources(), problems);
    engines(spec, problems);
    if (target == Target.CLUSTER && spec.getData() != null) {
      for (var source : new String[] {"labeled", "unlabeled", "validation"}) {
        DataSourceSpec s = sourceNamed(spec.getData(), source);
        if (s != null && s.getUri() != null && s.getUri().startsWith("file:")) {
          problems.add(new Problem("spec.data." + source + ".uri",
              "file:// is only for local mode; a cluster reads data from s3://"));
        }
      }
    }
    return problems;
  }

  private static DataSourceSpec sourceNamed(DataSpec data, String name) {
    return switch (name) {
      case "labeled" -> data.getLabeled();
      case "unlabeled" -> data.getUnlabeled();
      default -> data.getValidation();
    };
  }

  private static void storage(StorageSpec storage, Target target, List<Problem> problems) {
    if (storage == null) {
      if (target == Target.CLUSTER) {
        problems.add(new Problem("spec.storage", "is required on a cluster (endpoint, bucket, credentialsSecret)"));
      }
      return;
    }
    if (storage.getBucket() == null || !BUCKET.matcher(storage.getBucket()).matches()) {
      problems.add(new Problem("spec.storage.bucket",
          "must be an S3 bucket name (3-63 lower-case letters, digits, '.' or '-'), was " + storage.getBucket()));
    }
    String endpoint = storage.getEndpoint();
    if (endpoint != null && !endpoint.isBlank() && !endpoint.matches("^https?://[^/]+/?$")) {
      problems.add(new Problem("spec.storage.endpoint", "must be http(s)://host[:port], was " + endpoint));
    }
    if (target == Target.CLUSTER) {
      if (endpoint == null || endpoint.isBlank()) {
        problems.add(new Problem("spec.storage.endpoint", "is required on a cluster"));
      }
      if (storage.getCredentialsSecret() == null || storage.getCredentialsSecret().isBlank()) {
        problems.add(new Problem("spec.storage.credentialsSecret",
            "is required on a cluster: a Secret with keys accessKey and secretKey"));
      }
    }
    if (storage.getPrefix() != null && !storage.getPrefix().isEmpty()) {
      StorePrefix.problem(storage.getPrefix()).ifPresent(message -> problems.add(new Problem("spec.storage.prefix", message)));
    }
  }

  private static void data(DataSpec data, List<Problem> problems) {
    if (data == null) {
      problems.add(new Problem("spec.data", "is required (labeled, unlabeled, validation)"));
      return;
    }
    if (data.getClasses() == null || data.getClasses() < 2) {
      problems.add(new Problem("spec.data.classes", "must be at least 2, was " + data.getClasses()));
    }
    // Any part left out takes its default: the channels from the labeled format, mean 0.5, std 0.25.
    geometry("spec.data", new Geometry(data.getImageSize(), data.getChannels(), data.getMean(), data.getStd()), false,
        data.getChannels() == null ? data.resolvedChannels() : null, problems);
    source("spec.data.labeled", data.getLabeled(), true, problems);
    source("spec.data.unlabeled", data.getUnlabeled(), false, problems);
    source("spec.data.validation", data.getValidation(), true, problems);
    DataSourceSpec labeled = data.getLabeled();
    DataSourceSpec pool = data.getUnlabeled();
    if (labeled != null && labeled.getPerClass() != null && labeled.getPerClass() < 1) {
      problems.add(new Problem("spec.data.labeled.perClass", "must be at least 1, was " + labeled.getPerClass()));
    }
    if (pool != null && pool.getPerClass() != null) {
      problems.add(new Problem("spec.data.unlabeled.perClass", "applies to the labeled set only"));
    }
    Double skipped = data.getMaxSkippedFraction();
    if (skipped != null && !(skipped >= 0 && skipped <= 1)) {
      problems.add(new Problem("spec.data.maxSkippedFraction", "must be in [0, 1] (the share of the unlabeled pool"
          + " that may be unreadable), was " + skipped));
    }
    if (data.getValidateEveryEpochs() != null && data.getValidateEveryEpochs() < 1) {
      problems.add(new Problem("spec.data.validateEveryEpochs", "must be at least 1 (the last epoch is always "
          + "validated), was " + data.getValidateEveryEpochs()));
    }
    if (data.getValidation() != null && data.getValidation().getPerClass() != null) {
      problems.add(new Problem("spec.data.validation.perClass", "applies to the labeled set only"));
    }
    if (pool != null && pool.excludesLabeled() && labeled != null
        && (!Objects.equals(pool.getUri(), labeled.getUri()) || pool.getFormat() != labeled.getFormat())) {
      problems.add(new Problem("spec.data.unlabeled.excludeLabeled",
          "needs the same uri and format as spec.data.labeled (the pool is the rest of that set)"));
    }
    if (labeled != null && labeled.excludesLabeled()) {
      problems.add(new Problem("spec.data.labeled.excludeLabeled", "applies to the unlabeled pool only"));
    }
  }

  private static void source(String field, DataSourceSpec source, boolean needsLabels, List<Problem> problems) {
    if (source == null) {
      problems.add(new Problem(field, "is required"));
      return;
    }
    if (source.getUri() == null || source.getUri().isBlank()) {
      problems.add(new Problem(field + ".uri", "is required"));
    } else if (!URI.matcher(source.getUri()).matches()) {
      problems.add(new Problem(field + ".uri", "must be s3://bucket/key or file:///path, was " + source.getUri()));
    }
    if (source.getFormat() == null) {
      problems.add(new Problem(field + ".format", "is required: idx, cifar, tar or folder"));
    } else if (source.getFormat() == DataFormat.IDX && needsLabels && source.getLabelsUri() == null) {
      problems.add(new Problem(field + ".labelsUri", "is required for idx data: the idx1 labels file"));
    } else if (source.getFormat() != DataFormat.IDX && source.getLabelsUri() != null) {
      problems.add(new Problem(field + ".labelsUri", "applies to idx data only"));
    }
    if (source.getLabelsUri() != null && !URI.matcher(source.getLabelsUri()).matches()) {
      problems.add(new Problem(field + ".labelsUri", "must be s3://bucket/key or file:///path"));
    }
    if (source.getLimit() != null && source.getLimit() < 1) {
      problems.add(new Problem(field + ".limit", "must be at least 1, was " + source.getLimit()));
    }
  }

  private static void teacher(TeacherSpec teacher, List<Problem> problems) {
    if (teacher.getCheckpoint() != null && !URI.matcher(teacher.getCheckpoint()).matches()) {
      problems.add(new Problem("spec.teacher.checkpoint", "must be s3://bucket/key or file:///path"));
    }
    training("spec.teacher.training", teacher.getTraining(), problems);
    if (!teacher.isTorchScript()) {
      architecture("spec.teacher.architecture", teacher.getArchitecture(), problems);
      if (teacher.getInput() != null) {
        problems.add(new Problem("spec.teacher.input", "applies to format: torchscript only; a params teacher sees"
            + " the run's spec.data geometry"));
      }
      return;
    }
    // A TorchScript file brings its own network: an architecture beside it would read as if it were built here.
    if (teacher.getArchitecture() != null) {
      problems.add(new Problem("spec.teacher.architecture", "leave it out with format: torchscript (the file brings"
          + " its own network), was " + teacher.getArchitecture()));
    }
    if (!teacher.hasCheckpoint()) {
      problems.add(new Problem("spec.teacher.checkpoint", "is required with format: torchscript: the .pt file"
          + " saved by torch.jit.trace(...).save"));
    }
    teacherInput(teacher.getInput(), problems);
  }

  /** The declared input of a TorchScript teacher: every value given, none defaulted (see TeacherInputSpec). */
  private static void teacherInput(TeacherInputSpec input, List<Problem> problems) {
    String field = "spec.teacher.input";
    if (input == null) {
      problems.add(new Problem(field, "is required with format: torchscript: imageSize, channels, mean and std"
          + " the teacher was exported for"));
      return;
    }
    geometry(field, new Geometry(input.getImageSize(), input.getChannels(), input.getMean(), input.getStd()), true, null,
        problems);
  }

  /** An image geometry and its normalisation, as spec.data and spec.teacher.input declare it. */
  private record Geometry(Integer imageSize, Integer channels, List<Double> mean, List<Double> std) {
  }

  /**
   * The one check of a geometry against {@link GeometryLimits}. {@code required}: every part must be
   * given (a TorchScript teacher's input has no defaults); else a part left out is defaulted, its
   * channels then being {@code defaultChannels}.
   */
  private static void geometry(String field, Geometry geometry, boolean required, Integer defaultChannels,
      List<Problem> problems) {
    Integer imageSize = geometry.imageSize();
    if (imageSize == null ? required : !GeometryLimits.allowsImageSize(imageSize)) {
      problems.add(new Problem(field + ".imageSize", "must be between " + GeometryLimits.MIN_IMAGE_SIZE + " and "
          + GeometryLimits.MAX_IMAGE_SIZE + ", was " + imageSize));
    }
    Integer channels = geometry.channels();
    if (channels == null ? required : !GeometryLimits.allowsChannels(channels)) {
      problems.add(new Problem(field + ".channels", "must be 1 or 3, was " + channels));
    }
    Integer counted = channels == null ? defaultChannels : GeometryLimits.allowsChannels(channels) ? channels : null;
    perChannel(field + ".mean", geometry.mean(), counted, required, GeometryLimits::allowsMean,
        "between " + GeometryLimits.MIN_MEAN + " and " + GeometryLimits.MAX_MEAN, problems);
    perChannel(field + ".std", geometry.std(), counted, required, GeometryLimits::allowsStd,
        "between " + GeometryLimits.MIN_STD + " and " + GeometryLimits.MAX_STD, problems);
  }

  /** One value for every channel, or one per channel ({@code channels}, when known), each within its limits. */
  private static void perChannel(String field, List<Double> values, Integer channels, boolean required,
      DoublePredicate allowed, String limits, List<Problem> problems) {
    if (values == null || values.isEmpty()) {
      if (required) {
        problems.add(new Problem(field, "is required: 1 value or one per channel"));
      }
      return;
    }
    if (channels != null && values.size() != 1 && values.size() != channels) {
      problems.add(new Problem(field, "needs 1 value" + (channels == 3 ? " or 3" : "") + ", has " + values.size()));
    }
    if (values.stream().anyMatch(value -> value == null || !allowed.test(value))) {
      problems.add(new Problem(field, "values must be " + limits + " (of pixels scaled to [0,1]), has " + values));
    }
  }


  private static void architecture(String field, String name, List<Problem> problems) {
    if (name == null || name.isBlank()) {
      problems.add(new Problem(field, "is required: one of " + Architecture.NAMES));
    } else if (!Architecture.known(name)) {
      problems.add(new Problem(field, "unknown model '" + name + "': one of " + Architecture.NAMES));
    }
  }

  private static void training(String field, TrainingSpec training, List<Problem> problems) {
    if (training == null) {
      return;
    }
    if (training.getEpochs() == null || training.getEpochs() < 1) {
      problems.add(new Problem(field + ".epochs", "must be at least 1, was " + training.getEpochs()));
    }
    if (training.getBatchSize() == null || training.getBatchSize() < 1 || training.getBatchSize() > 65536) {
      problems.add(new Problem(field + ".batchSize", "must be between 1 and 65536, was " + training.getBatchSize()));
    }
    if (training.getLearningRate() == null || !(training.getLearningRate() > 0) || training.getLearningRate().isInfinite()) {
      problems.add(new Problem(field + ".learningRate", "must be a finite number > 0, was " + training.getLearningRate()));
    }
    if (training.getWeightDecay() == null || !(training.getWeightDecay() >= 0) || training.getWeightDecay().isInfinite()) {
      problems.add(new Problem(field + ".weightDecay", "must be >= 0, was " + training.getWeightDecay()));
    }
    if (training.getMomentum() == null || !(training.getMomentum() >= 0 && training.getMomentum() < 1)) {
      problems.add(new Problem(field + ".momentum", "must be in [0, 1), was " + training.getMomentum()));
    }
    if (training.getSchedule() == null) {
      problems.add(new Problem(field + ".schedule", "must be cosine, step or constant"));
    }
    if (training.getSeed() == null) {
      problems.add(new Problem(field + ".seed", "is required"));
    }
    if (training.getShuffleBuffer() == null || training.getShuffleBuffer() < 1) {
      problems.add(new Problem(field + ".shuffleBuffer", "must be at least 1, was " + training.getShuffleBuffer()));
    }
    if (training.getCheckpointEverySteps() == null || training.getCheckpointEverySteps() < 0) {
      problems.add(new Problem(field + ".checkpointEverySteps", "must be >= 0 (0: at epoch ends only), was "
          + training.getCheckpointEverySteps()));
    }
    if (training.getCacheLimitMiB() == null || training.getCacheLimitMiB() < 0) {
      problems.add(new Problem(field + ".cacheLimitMiB", "must be >= 0, was " + training.getCacheLimitMiB()));
    }
  }

  private static void noise(NoiseSpec noise, List<Problem> problems) {
    if (noise == null) {
      return;
    }
    if (noise.getDropout() != null && !(noise.getDropout() >= 0 && noise.getDropout() <= 0.9)) {
      problems.add(new Problem("spec.student.noise.dropout", "must be in [0, 0.9], was " + noise.getDropout()));
    }
    if (noise.getStochasticDepth() != null && !(noise.getStochasticDepth() >= 0 && noise.getStochasticDepth() <= 0.9)) {
      problems.add(new Problem("spec.student.noise.stochasticDepth",
          "must be in [0, 0.9], was " + noise.getStochasticDepth()));
    }
  }

  /** Pack's resize: none (0) or a short side the student's input still fits in; a JPEG quality in 1..100. */
  private static void packedImages(SamplingSpec sampling, DataSpec data, List<Problem> problems) {
    if (sampling == null) {
      return;
    }
    Integer shortSide = sampling.getPackShortSide();
    if (shortSide != null) {
      int imageSize = data == null ? 1 : data.resolvedImageSize();
      if (shortSide < 0 || shortSide > SamplingSpec.MAX_PACK_SHORT_SIDE) {
        problems.add(new Problem("spec.sampling.packShortSide",
            "must be 0 (the original images) or between 1 and " + SamplingSpec.MAX_PACK_SHORT_SIDE + ", was " + shortSide));
      } else if (shortSide != 0 && shortSide < imageSize) {
        problems.add(new Problem("spec.sampling.packShortSide", "must be 0 (the original images) or at least "
            + "spec.data.imageSize (" + imageSize + "), was " + shortSide + ": the student would enlarge every image"));
      }
    }
    Integer quality = sampling.getPackJpegQuality();
    if (quality != null && (quality < 1 || quality > 100)) {
      problems.add(new Problem("spec.sampling.packJpegQuality", "must be between 1 and 100, was " + quality));
    }
  }

  private static void sampling(SamplingSpec sampling, Integer classes, List<Problem> problems) {
    if (sampling == null) {
      return;
    }
    if (sampling.getTopK() == null || sampling.getTopK() < 1) {
      problems.add(new Problem("spec.sampling.topK", "must be at least 1, was " + sampling.getTopK()));
    }
    if (sampling.getTopP() == null || sampling.getTopP() < 1) {
      problems.add(new Problem("spec.sampling.topP", "must be at least 1, was " + sampling.getTopP()));
    } else if (classes != null && sampling.getTopP() > classes) {
      problems.add(new Problem("spec.sampling.topP",
          "must not exceed spec.data.classes (" + classes + "), was " + sampling.getTopP()));
    }
    if (sampling.getShards() == null || sampling.getShards() < 1 || sampling.getShards() > 10000) {
      problems.add(new Problem("spec.sampling.shards", "must be between 1 and 10000, was " + sampling.getShards()));
    }
    if (sampling.getPackShards() != null && (sampling.getPackShards() < 1 || sampling.getPackShards() > 10000)) {
      problems.add(new Problem("spec.sampling.packShards", "must be between 1 and 10000, was " + sampling.getPackShards()));
    }
    if (sampling.getCheckpointFiles() == null || sampling.getCheckpointFiles() < 1) {
      problems.add(new Problem("spec.sampling.checkpointFiles", "must be at least 1, was " + sampling.getCheckpointFiles()));
    }
    if (sampling.getCheckpointMinutes() == null || sampling.getCheckpointMinutes() < 1) {
      problems.add(new Problem("spec.sampling.checkpointMinutes", "must be at least 1, was " + sampling.getCheckpointMinutes()));
    }
    // Unbalanced keeps topK x classes entries in one heap: that count must fit one Java array.
    if (sampling.unbalanced() && sampling.getTopK() != null && classes != null
        && (long) sampling.getTopK() * classes > Integer.MAX_VALUE - 8) {
      problems.add(new Problem("spec.sampling.selection", "unbalanced keeps topK x classes = "
          + (long) sampling.getTopK() * classes + " entries in one heap, more than " + (Integer.MAX_VALUE - 8)
          + ": lower spec.sampling.topK"));
    }
  }

  private static void resources(ResourcesSpec resources, List<Problem> problems) {
    if (resources == null) {
      return;
    }
    if (resources.getImage() == null || resources.getImage().isBlank()) {
      problems.add(new Problem("spec.resources.image", "is required"));
    }
    gpus("spec.resources.gpus", resources.getGpus(), problems);
    quantity("spec.resources.cpu", resources.getCpu(), problems);
    quantity("spec.resources.memory", resources.getMemory(), problems);
    if (resources.getSteps() != null) {
      resources.getSteps().forEach((stage, step) -> stepResources(stage, step, problems));
    }
    if (resources.getRetries() != null && (resources.getRetries() < 0 || resources.getRetries() > 20)) {
      problems.add(new Problem("spec.resources.retries", "must be between 0 and 20, was " + resources.getRetries()));
    }
    if (resources.getTtlSecondsAfterFinished() != null && resources.getTtlSecondsAfterFinished() < 0) {
      problems.add(new Problem("spec.resources.ttlSecondsAfterFinished", "must be >= 0"));
    }
  }

  /**
   * The engine of each training step, and the combinations that cannot work: the trainer reads a
   * TorchScript student or starts from scratch (it cannot read the worker's parameters), and the
   * worker does not fine-tune a TorchScript student.
   */
  private static void engines(SemiSupervisedRunSpec spec, List<Problem> problems) {
    boolean anyTorchDdp = false;
    for (Stage stage : new Stage[] {Stage.TEACHER, Stage.STUDENT, Stage.FINETUNE}) {
      EngineSpec engine = StepEngine.of(spec, stage).orElse(null);
      if (engine != null) {
        engine(StepEngine.field(stage), engine, problems);
        anyTorchDdp |= engine.torchDdp();
      }
    }
    String student = StepEngine.field(Stage.STUDENT);
    String finetune = StepEngine.field(Stage.FINETUNE);
    boolean studentDdp = StepEngine.torchDdp(spec, Stage.STUDENT).isPresent();
    boolean finetuneDdp = StepEngine.torchDdp(spec, Stage.FINETUNE).isPresent();
    if (finetuneDdp && !studentDdp) {
      problems.add(new Problem(finetune + ".type", "torch-ddp fine-tunes a TorchScript student, and a djl " + student
          + " writes the worker's own parameters, which the trainer cannot read: set " + student
          + ".type torch-ddp too, or fine-tune with djl"));
    }
    if (studentDdp && !finetuneDdp) {
      problems.add(new Problem(finetune + ".type", "a torch-ddp " + student + " writes a TorchScript model, which the"
          + " djl worker cannot fine-tune: set " + finetune + " {type: torch-ddp} too"));
    }
    if (StepEngine.torchDdp(spec, Stage.TEACHER).isPresent() && spec.getTeacher().hasCheckpoint()) {
      problems.add(new Problem(StepEngine.field(Stage.TEACHER), "applies only to a teacher trained here; with"
          + " spec.teacher.checkpoint no teacher is trained: leave the engine out"));
    }
    ResourcesSpec resources = spec.getResources();
    for (Stage stage : new Stage[] {Stage.TEACHER, Stage.STUDENT, Stage.FINETUNE}) {
      StepResourcesSpec own = resources == null || resources.getSteps() == null ? null
          : resources.getSteps().get(stage.wireName());
      if (own != null && own.getGpus() != null && StepEngine.torchDdp(spec, stage).isPresent()) {
        problems.add(new Problem("spec.resources.steps." + stage.wireName() + ".gpus", "a torch-ddp step takes its"
            + " GPUs from " + StepEngine.field(stage) + ".gpusPerNode: leave this out"));
      }
    }
    TrainerSpec trainer = spec.getTrainer();
    if (trainer == null) {
      return;
    }
    if (!anyTorchDdp) {
      problems.add(new Problem("spec.trainer", "runs torch-ddp steps only, and no training step has engine type"
          + " torch-ddp: leave it out, or set teacher.engine, student.engine or student.finetuneEngine"));
    }
    if (trainer.getImage() != null && trainer.getImage().isBlank()) {
      problems.add(new Problem("spec.trainer.image", "must name an image, or be left out for the operator's"));
    }
    List<String> command = trainer.getCommand();
    if (command != null && (command.isEmpty() || command.size() > TrainerSpec.MAX_COMMAND_WORDS
        || command.stream().anyMatch(word -> word == null || word.isEmpty()))) {
      problems.add(new Problem("spec.trainer.command", "must be 1 to " + TrainerSpec.MAX_COMMAND_WORDS
          + " non-empty words (the program and its arguments; the step id is appended as its argument)"));
    }
  }

  private static void engine(String field, EngineSpec engine, List<Problem> problems) {
    if (engine.getType() == null) {
      problems.add(new Problem(field + ".type", "is required: djl or torch-ddp"));
      return;
    }
    Integer nodes = engine.getNodes();
    if (nodes != null && (nodes < 1 || nodes > EngineSpec.MAX_NODES)) {
      problems.add(new Problem(field + ".nodes", "must be between 1 and " + EngineSpec.MAX_NODES + ", was " + nodes));
    }
    Integer gpus = engine.getGpusPerNode();
    if (gpus != null && (gpus < 0 || gpus > EngineSpec.MAX_GPUS_PER_NODE)) {
      problems.add(new Problem(field + ".gpusPerNode", "must be between 0 and " + EngineSpec.MAX_GPUS_PER_NODE
          + ", was " + gpus));
    }
    if (engine.getType() == EngineType.DJL) {
      if (nodes != null && nodes > 1) {
        problems.add(new Problem(field + ".nodes", "djl trains on one pod; training across " + nodes
            + " pods needs type torch-ddp"));
      }
      if (gpus != null) {
        problems.add(new Problem(field + ".gpusPerNode", "applies to torch-ddp; djl takes its GPUs from"
            + " spec.resources.gpus or spec.resources.steps.<stage>.gpus"));
      }
    }
  }

  private static void stepResources(String stage, StepResourcesSpec step, List<Problem> problems) {
    String field = "spec.resources.steps." + stage;
    try {
      Stage.fromWireName(stage);
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(field, "is not a stage: one of teacher, infer, select, pack, student, finetune"));
      return;
    }
    if (step == null) {
      problems.add(new Problem(field, "is empty: give gpus, cpu or memory"));
      return;
    }
    gpus(field + ".gpus", step.getGpus(), problems);
    quantity(field + ".cpu", step.getCpu(), problems);
    quantity(field + ".memory", step.getMemory(), problems);
  }

  /**
   * GPUs per pod: the schema allows up to 16, but until the data-parallel path (one model replica
   * per GPU in training and in infer) has run on real GPUs (it is tested with replicas on the CPU
   * only) a pod gets at most one, so no paid-for GPU sits idle behind an untried path.
   */
  private static void gpus(String field, Integer gpus, List<Problem> problems) {
    if (gpus == null) {
      return;
    }
    if (gpus < 0 || gpus > 16) {
      problems.add(new Problem(field, "must be between 0 and 16, was " + gpus));
    } else if (gpus > 1) {
      problems.add(new Problem(field, "is " + gpus + ": at most 1 GPU per pod for now; data-parallel training and"
          + " one teacher replica per GPU are built but have not run on GPUs yet (docs/scale.md); scale out with"
          + " spec.sampling.shards instead"));
    }
  }

  private static void quantity(String field, String value, List<Problem> problems) {
    if (value == null) {
      return;
    }
    try {
      if (Quantity.getAmountInBytes(new Quantity(value)).signum() <= 0) {
        problems.add(new Problem(field, "must be > 0, was " + value));
      }
    } catch (RuntimeException e) {
      problems.add(new Problem(field, "is not a Kubernetes quantity (e.g. 2, 500m, 4Gi): " + value));
    }
  }
}
