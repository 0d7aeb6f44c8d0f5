package dev.semisup.worker.stages;

import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.model.PoolScorer;

/**
 * The model that scores the pool in a round with the images it takes: the pool is read at
 * {@code geometry} and normalised by {@code preprocessing}. The run's {@code data} geometry for
 * the project's own networks; a TorchScript teacher's declared {@code teacher.input}.
 */
public record PoolTeacher(PoolScorer network, ImageGeometry geometry, Augmentation preprocessing)
    implements AutoCloseable {

  @Override
  public void close() {
    network.close();
  }
}
