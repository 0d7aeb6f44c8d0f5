package dev.semisup.api.plan;

import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ordered steps of a run: a pure function of the spec. The operator turns each step into a
 * Job; the local runner calls the same stage code in-process.
 *
 * <p>Round 1: teacher (unless a teacher checkpoint is given), infer, select, pack, student,
 * finetune. Infer runs {@code sampling.shards} shards, pack {@code sampling.packShards} (default:
 * as many as infer).
 * Round r > 1 skips teacher: the previous round's fine-tuned student is the teacher.
 */
public record StagePlan(List<PlannedStep> steps) {

  public StagePlan {
    steps = List.copyOf(steps);
  }

  public static StagePlan of(SemiSupervisedRunSpec spec) {
    int rounds = spec.getRounds() == null ? 1 : spec.getRounds();
    int shards = spec.getSampling() == null || spec.getSampling().getShards() == null
        ? 1 : spec.getSampling().getShards();
    int packShards = spec.getSampling() == null ? 1 : spec.getSampling().packShardsOrDefault();
    boolean teacherGiven = spec.getTeacher() != null && spec.getTeacher().hasCheckpoint();
    List<PlannedStep> steps = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      if (round == 1 && !teacherGiven) {
        steps.add(new PlannedStep(Stage.TEACHER, 1, 1));
      }
      steps.add(new PlannedStep(Stage.INFER, round, shards));
      steps.add(new PlannedStep(Stage.SELECT, round, 1));
      steps.add(new PlannedStep(Stage.PACK, round, packShards));
      steps.add(new PlannedStep(Stage.STUDENT, round, 1));
      steps.add(new PlannedStep(Stage.FINETUNE, round, 1));
    }
    return new StagePlan(steps);
  }

  public Optional<PlannedStep> step(String id) {
    return steps.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  public PlannedStep require(String id) {
    return step(id).orElseThrow(() -> new IllegalArgumentException(
        "step '" + id + "' is not in this run's plan " + steps.stream().map(PlannedStep::id).toList()));
  }

  /** The step after the given one, or empty at the end of the plan. */
  public Optional<PlannedStep> next(PlannedStep step) {
    int at = steps.indexOf(step);
    return at >= 0 && at + 1 < steps.size() ? Optional.of(steps.get(at + 1)) : Optional.empty();
  }

  /** The last fine-tune: its model and metrics are the run's result. */
  public PlannedStep last() {
    return steps.get(steps.size() - 1);
  }

  /** The step of the same round whose output a step reads, e.g. select for student. */
  public PlannedStep sibling(PlannedStep step, Stage stage) {
    return steps.stream()
        .filter(s -> s.stage() == stage && s.round() == step.round())
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + stage.wireName() + " step in round " + step.round()));
  }

  /**
   * The steps whose artifacts a step reads: infer reads the round's teacher (none when a
   * checkpoint replaces it), select the round's infer, pack the select, student the pack,
   * finetune the student.
   * With {@link StepInputs} it says what a step's result depends on.
   */
  public List<PlannedStep> upstream(PlannedStep step) {
    return switch (step.stage()) {
      case TEACHER -> List.of();
      case INFER -> teacherOf(step.round()).map(List::of).orElse(List.of());
      case SELECT -> List.of(sibling(step, Stage.INFER));
      case PACK -> List.of(sibling(step, Stage.SELECT));
      case STUDENT -> List.of(sibling(step, Stage.PACK));
      case FINETUNE -> List.of(sibling(step, Stage.STUDENT));
    };
  }

  /** The hashes of what a step's result depends on (see {@link StepInputs}). */
  public StepInputs inputs(SemiSupervisedRunSpec spec, PlannedStep step) {
    return StepInputs.of(spec, this, step);
  }

  /**
   * The step whose model scores the pool in the given round: round 1's teacher step (empty when a
   * teacher checkpoint replaces it), later rounds the previous round's finetune.
   */
  public Optional<PlannedStep> teacherOf(int round) {
    if (round == 1) {
      return step(Stage.TEACHER.wireName());
    }
    return steps.stream().filter(s -> s.stage() == Stage.FINETUNE && s.round() == round - 1).findFirst();
  }
}
