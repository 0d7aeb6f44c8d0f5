package dev.semisup.worker.train;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Checkpoints of a training step in the object store, one object per epoch
 * (checkpoints/epoch-0003.ckpt) and per checkpoint inside an epoch
 * (checkpoints/epoch-0003.step-000000500.ckpt); the keys sort in training order. The two newest
 * are kept: the newest may be the one being
 * written when a pod is killed, and store writes are atomic, so the older one is never needed
 * for correctness, only as a spare.
 */
public final class StoreCheckpoints implements TrainingLoop.Checkpoints {

  private static final int KEEP = 2;

  private final ObjectStore store;
  private final ObjectLayout layout;
  private final PlannedStep step;

  public StoreCheckpoints(ObjectStore store, ObjectLayout layout, PlannedStep step) {
    this.store = store;
    this.layout = layout;
    this.step = step;
  }

  @Override
  public Optional<Checkpoint> latest() throws IOException {
    List<String> keys = store.list(layout.checkpoints(step));
    if (keys.isEmpty()) {
      return Optional.empty();
    }
    String newest = keys.get(keys.size() - 1);
    try (InputStream in = store.open(newest)) {
      return Optional.of(Checkpoint.read(in, store.uri(newest)));
    }
  }

  @Override
  public void save(Checkpoint checkpoint) throws IOException {
    store.write(layout.checkpoint(step, checkpoint.epochsDone(), checkpoint.batchesIntoEpoch()), out -> {
      java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 20);
      checkpoint.write(buffered);
      buffered.flush();
    });
    List<String> keys = store.list(layout.checkpoints(step));
    for (int i = 0; i < keys.size() - KEEP; i++) {
      store.delete(keys.get(i));
    }
  }
}
