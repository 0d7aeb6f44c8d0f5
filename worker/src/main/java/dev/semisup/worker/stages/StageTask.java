package dev.semisup.worker.stages;

import java.io.IOException;

/** One stage's entry point: read inputs and write outputs through the object layout. */
@FunctionalInterface
public interface StageTask {

  void run(StageContext context) throws IOException;

  /**
   * For a training stage whose model is kept but whose validation set changed: evaluate the kept
   * model again and rewrite its metrics (see StepInputs). Stages that train nothing have no metrics.
   */
  default void evaluateAgain(StageContext context) throws IOException {
    throw new IllegalStateException(context.step().id() + " trains no model: there is nothing to evaluate again");
  }
}
