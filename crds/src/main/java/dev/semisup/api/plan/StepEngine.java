package dev.semisup.api.plan;

import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import java.util.Optional;

/**
 * The engine block that trains a stage, by its one home in the spec: {@code teacher.engine},
 * {@code student.engine} (the student step), {@code student.finetuneEngine}. Steps that train
 * nothing have none; neither has a step whose block is left out (it trains on djl).
 */
public final class StepEngine {

  private StepEngine() {
  }

  public static Optional<EngineSpec> of(SemiSupervisedRunSpec spec, Stage stage) {
    EngineSpec engine = switch (stage) {
      case TEACHER -> spec.getTeacher() == null ? null : spec.getTeacher().getEngine();
      case STUDENT -> spec.getStudent() == null ? null : spec.getStudent().getEngine();
      case FINETUNE -> spec.getStudent() == null ? null : spec.getStudent().getFinetuneEngine();
      default -> null;
    };
    return Optional.ofNullable(engine);
  }

  /** The torch-ddp block of the stage, empty for djl (the default). */
  public static Optional<EngineSpec> torchDdp(SemiSupervisedRunSpec spec, Stage stage) {
    return of(spec, stage).filter(EngineSpec::torchDdp);
  }

  /** The field path of a stage's engine block, for messages. */
  public static String field(Stage stage) {
    return switch (stage) {
      case TEACHER -> "spec.teacher.engine";
      case STUDENT -> "spec.student.engine";
      case FINETUNE -> "spec.student.finetuneEngine";
      default -> throw new IllegalArgumentException(stage.wireName() + " trains nothing and has no engine");
    };
  }
}
