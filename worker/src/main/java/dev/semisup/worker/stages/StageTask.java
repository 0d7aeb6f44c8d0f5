package dev.semisup.worker.stages;

import java.io.IOException;

/** One stage's entry point: read inputs and write outputs through the object layout. */
@FunctionalInterface
public interface StageTask {

  void run(StageContext context) throws IOException;
}
