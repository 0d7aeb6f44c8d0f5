package dev.semisup.api.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.TeacherSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What a step's result depends on, as two hashes recorded beside its _SUCCESS: {@code training},
 * the spec fields that shape its artifacts plus the training hashes of the steps it reads, and
 * {@code evaluation}, what its metrics.json also depends on (the validation set; empty for steps
 * that train nothing). A step whose training hash changed is redone with every step downstream
 * (their hashes chain); one whose evaluation hash alone changed keeps its model and is only
 * evaluated again. So fixing {@code data.validation} after the teacher trained re-scores the
 * teacher, student and fine-tuned student on the new set, and trains nothing again.
 *
 * <p>The table below is the one place that says which field feeds which stage: a new stage is one
 * more row.
 */
public record StepInputs(String training, String evaluation) {

  /**
   * One spec field that feeds a stage, by its manifest path. An {@code optional} field counts only
   * when it has a value: a field added later that way leaves the hashes of the specs without it as
   * they were.
   */
  record Field(String path, Function<SemiSupervisedRunSpec, Object> value, boolean optional) {
    Field(String path, Function<SemiSupervisedRunSpec, Object> value) {
      this(path, value, false);
    }
  }

  /** What feeds a stage: fields of its artifacts, fields of its metrics alone. */
  record Row(List<Field> training, List<Field> evaluation) {
  }

  private static final List<Field> GEOMETRY = List.of(
      new Field("spec.data.classes", s -> data(s).getClasses()),
      new Field("spec.data.imageSize", s -> data(s).resolvedImageSize()),
      new Field("spec.data.channels", s -> data(s).resolvedChannels()),
      new Field("spec.data.mean", s -> data(s).getMean()),
      new Field("spec.data.std", s -> data(s).getStd()),
      new Field("spec.data.horizontalFlip", s -> data(s).getHorizontalFlip()));
  private static final Field LABELED = new Field("spec.data.labeled", s -> data(s).getLabeled());
  private static final List<Field> VALIDATION = List.of(new Field("spec.data.validation", s -> data(s).getValidation()));

  private static final Map<Stage, Row> TABLE = new EnumMap<>(Map.of(
      Stage.TEACHER, new Row(with(GEOMETRY,
          LABELED,
          new Field("spec.teacher.architecture", s -> s.getTeacher().getArchitecture()),
          new Field("spec.teacher.training", s -> s.getTeacher().getTraining()),
          engine(Stage.TEACHER)), VALIDATION),
      // The pool may be "the rest of the labeled set" (excludeLabeled), so the labeled set feeds it too.
      Stage.INFER, new Row(with(GEOMETRY,
          LABELED,
          new Field("spec.data.unlabeled", s -> data(s).getUnlabeled()),
          new Field("spec.teacher.checkpoint", StepInputs::teacherCheckpoint),
          new Field("spec.teacher.architecture", s -> s.getTeacher().getArchitecture()),
          new Field("spec.sampling.topP", s -> s.getSampling().getTopP()),
          new Field("spec.sampling.topK", s -> s.getSampling().getTopK()),
          new Field("spec.sampling.shards", s -> s.getSampling().getShards()),
          // Unbalanced shards keep K x classes entries over all classes, not K per class.
          new Field("spec.sampling.selection", s -> selection(s))), List.of()),
      Stage.SELECT, new Row(List.of(
          new Field("spec.sampling.topP", s -> s.getSampling().getTopP()),
          new Field("spec.sampling.topK", s -> s.getSampling().getTopK()),
          new Field("spec.sampling.shards", s -> s.getSampling().getShards()),
          new Field("spec.sampling.selection", s -> selection(s))), List.of()),
      // Pack writes the index's entries' images (resized to a short side, or the pool's own bytes)
      // in an order shuffled with the student's seed. The resize fields count only when set: a
      // pack that finished with the original bytes, before resizing was the default, is a valid
      // input to the student as it stands and is not redone for a change of default.
      Stage.PACK, new Row(with(GEOMETRY,
          new Field("spec.data.unlabeled", s -> data(s).getUnlabeled()),
          new Field("spec.sampling.packShards", s -> s.getSampling().getPackShards()),
          new Field("spec.sampling.packShortSide", s -> s.getSampling().getPackShortSide(), true),
          new Field("spec.sampling.packJpegQuality", s -> s.getSampling().getPackJpegQuality(), true),
          new Field("spec.student.training.seed",
              s -> s.getStudent().getTraining() == null ? null : s.getStudent().getTraining().getSeed())), List.of()),
      Stage.STUDENT, new Row(with(GEOMETRY,
          LABELED,
          new Field("spec.student.architecture", s -> s.getStudent().getArchitecture()),
          new Field("spec.student.training", s -> s.getStudent().getTraining()),
          new Field("spec.student.noise", s -> s.getStudent().getNoise()),
          new Field("spec.sampling.softTargets", s -> s.getSampling().getSoftTargets()),
          new Field("spec.sampling.mixLabeled", s -> s.getSampling().getMixLabeled()),
          engine(Stage.STUDENT)), VALIDATION),
      Stage.FINETUNE, new Row(with(GEOMETRY,
          LABELED,
          new Field("spec.student.architecture", s -> s.getStudent().getArchitecture()),
          new Field("spec.student.noise", s -> s.getStudent().getNoise()),
          new Field("spec.student.finetuning", s -> s.getStudent().getFinetuning()),
          engine(Stage.FINETUNE)), VALIDATION)));

  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  /** The manifest paths of the fields that feed a stage's artifacts (its metrics add the validation set). */
  public static List<String> trainingFields(Stage stage) {
    return row(stage).training().stream().map(Field::path).toList();
  }

  public static List<String> evaluationFields(Stage stage) {
    return row(stage).evaluation().stream().map(Field::path).toList();
  }

  /** The hashes of one step of the plan: its own fields and, chained, those of every step it reads. */
  public static StepInputs of(SemiSupervisedRunSpec spec, StagePlan plan, PlannedStep step) {
    Row row = row(step.stage());
    Map<String, Object> training = new TreeMap<>(values(spec, row.training()));
    for (PlannedStep upstream : plan.upstream(step)) {
      training.put("step " + upstream.id(), of(spec, plan, upstream).training());
    }
    String trainingHash = sha256(training);
    if (row.evaluation().isEmpty()) {
      return new StepInputs(trainingHash, "");
    }
    Map<String, Object> evaluation = new TreeMap<>(values(spec, row.evaluation()));
    evaluation.put("training", trainingHash);
    return new StepInputs(trainingHash, sha256(evaluation));
  }

  private static Row row(Stage stage) {
    Row row = TABLE.get(stage);
    if (row == null) {
      throw new IllegalStateException("no inputs row for stage " + stage.wireName());
    }
    return row;
  }

  private static Map<String, Object> values(SemiSupervisedRunSpec spec, List<Field> fields) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Field field : fields) {
      Object value;
      try {
        value = field.value().apply(spec);
      } catch (NullPointerException absent) {
        // A section left out of the spec (no teacher checkpoint, default sampling) counts as absent.
        value = null;
      }
      if (value != null || !field.optional()) {
        values.put(field.path(), value);
      }
    }
    return values;
  }

  private static String sha256(Map<String, Object> values) {
    try {
      byte[] canonical = CANONICAL.writeValueAsBytes(values);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash a step's inputs", e);
    }
  }

  /**
   * Null for the default (balanced), so the hashes of steps that finished before the field existed
   * stay the same and those runs are not redone.
   */
  private static Object selection(SemiSupervisedRunSpec spec) {
    return spec.getSampling().unbalanced() ? spec.getSampling().getSelection() : null;
  }

  /**
   * The checkpoint's URI for this project's parameters (the value it always had, so those runs
   * keep their hashes); for a TorchScript teacher the URI with its format and declared input,
   * which change its scores as much as the file does.
   */
  private static Object teacherCheckpoint(SemiSupervisedRunSpec spec) {
    TeacherSpec teacher = spec.getTeacher();
    if (!teacher.isTorchScript()) {
      return teacher.getCheckpoint();
    }
    Map<String, Object> torchScript = new LinkedHashMap<>();
    torchScript.put("uri", teacher.getCheckpoint());
    torchScript.put("format", teacher.getFormat().wireName());
    torchScript.put("input", teacher.getInput());
    return torchScript;
  }

  /**
   * The engine block of a torch-ddp step (another trainer, and its world size shapes the model);
   * absent for djl, the default, so the hashes of runs from before engines existed stay the same.
   */
  private static Field engine(Stage stage) {
    return new Field(StepEngine.field(stage), s -> StepEngine.torchDdp(s, stage).orElse(null), true);
  }

  private static DataSpec data(SemiSupervisedRunSpec spec) {
    return spec.getData();
  }

  private static List<Field> with(List<Field> common, Field... more) {
    List<Field> fields = new java.util.ArrayList<>(common);
    fields.addAll(List.of(more));
    return List.copyOf(fields);
  }
}
