package dev.semisup.worker.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.semisup.worker.model.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Data-parallel training over a pod's devices: one model replica per device, replica 0 being the
 * network the loop trains and checkpoints (the parameter owner). A step splits the batch into
 * contiguous chunks, one per replica; each replica computes the gradient of its chunk's mean loss
 * times the chunk's share of the batch, so the replicas' gradients summed onto the owner are the
 * gradient of the batch's mean loss; the optimizer steps once, on the owner; then the owner's
 * parameters are copied to the other replicas, which start every step identical to it.
 *
 * <p>Batch-norm is that of PyTorch's DistributedDataParallel without SyncBatchNorm: each replica
 * normalises with its own chunk's statistics while training, and the running statistics (used
 * for inference) are the owner's, computed on chunk 0 and copied to the others with the
 * parameters (DDP's {@code broadcast_buffers}). So a step equals one model accumulating the
 * chunks' gradients one after another, and equals one model on the whole batch exactly when every
 * chunk has the batch's statistics. Synchronising the statistics across devices (SyncBatchNorm)
 * would cost an all-reduce per batch-norm layer per step; with chunks of 32 images or more per
 * device the difference is small, which is why DDP leaves it off by default.
 *
 * <p>Replicas are driven in order from the training thread (one gradient collector at a time, as
 * DJL's PyTorch engine requires); on GPUs kernel launches are asynchronous, so devices overlap
 * until the losses are read. Dropout and stochastic depth draw from the engine's generator in
 * replica order, so a seeded run repeats itself. With one device there are no other replicas and
 * the training loop takes its single-device path, unchanged.
 */
final class DataParallel implements AutoCloseable {

  private final Network owner;
  private final List<Network> others;

  private DataParallel(Network owner, List<Network> others) {
    this.owner = owner;
    this.others = others;
  }

  /**
   * Replicas of {@code owner} on {@code devices}; the owner serves the first device (it must be
   * on it), a new replica each further one. The same device may repeat (tests: two instances on
   * the CPU).
   */
  static DataParallel over(Network owner, List<Device> devices) {
    if (devices.isEmpty() || !devices.get(0).equals(owner.device())) {
      throw new IllegalArgumentException("the first device " + (devices.isEmpty() ? "(none)" : devices.get(0))
          + " must be the one the trained network is on, " + owner.device());
    }
    List<Network> others = new ArrayList<>();
    try {
      for (Device device : devices.subList(1, devices.size())) {
        Network replica = owner.replica(device);
        for (Parameter parameter : replica.parameters()) {
          if (parameter.requiresGradient()) {
            parameter.getArray().setRequiresGradient(true);
          }
        }
        others.add(replica);
      }
    } catch (RuntimeException e) {
      others.forEach(Network::close);
      throw e;
    }
    return new DataParallel(owner, others);
  }

  /** Replica {@code r} (0: the owner). */
  Network replica(int r) {
    return r == 0 ? owner : others.get(r - 1);
  }

  int replicas() {
    return others.size() + 1;
  }

  /** Copies the owner's parameters to the other replicas (after a checkpoint was loaded, after a step). */
  void synchronize() {
    for (Network replica : others) {
      replica.copyParametersFrom(owner);
    }
  }

  /** Replica {@code r}'s share of {@code count} images: contiguous, sizes differing by at most one. */
  static int[] chunkStarts(int count, int replicas) {
    int[] starts = new int[replicas + 1];
    for (int r = 0; r < replicas; r++) {
      starts[r + 1] = starts[r] + count / replicas + (r < count % replicas ? 1 : 0);
    }
    return starts;
  }

  /**
   * One data-parallel step on {@code count} images (and their targets) through {@code trainer}
   * (the owner's); returns the batch's mean loss.
   */
  float step(Trainer trainer, MomentumSgd optimizer, float[] images, float[] targets, int count, int pixels,
      int classes) {
    int[] starts = chunkStarts(count, replicas());
    float loss = 0;
    // Each chunk's loss value outlives its chunk's memory (freed after its backward pass).
    List<NDArray> losses = new ArrayList<>();
    try {
      for (int r = 0; r < replicas(); r++) {
        int size = starts[r + 1] - starts[r];
        if (size == 0) {
          continue;
        }
        float share = (float) size / count;
        float[] x = Arrays.copyOfRange(images, starts[r] * pixels, starts[r + 1] * pixels);
        float[] y = Arrays.copyOfRange(targets, starts[r] * classes, starts[r + 1] * classes);
        losses.add(r == 0
            ? ownerBackward(trainer, x, y, size, classes, share)
            : replicaBackward(others.get(r - 1), trainer.getLoss(), x, y, size, classes, share));
      }
      sumGradientsOntoOwner();
      for (NDArray value : losses) {
        loss += value.getFloat();
      }
    } finally {
      losses.forEach(NDArray::close);
    }
    optimizer.step(owner.parameters());
    owner.parametersChanged();
    synchronize();
    return loss;
  }

  private NDArray ownerBackward(Trainer trainer, float[] images, float[] targets, int count, int classes, float share) {
    NDManager batch = trainer.getManager().newSubManager();
    try (GradientCollector collector = trainer.newGradientCollector()) {
      NDArray x = batch.create(images, Network.inputShape(owner.shape(), count));
      NDArray y = batch.create(targets, new Shape(count, classes));
      NDList predictions = trainer.forward(new NDList(x));
      NDArray scaled = trainer.getLoss().evaluate(new NDList(y), predictions).mul(share);
      collector.backward(scaled);
      return detachedCopy(scaled, batch);
    }
  }

  private static NDArray replicaBackward(Network replica, Loss lossFunction, float[] images, float[] targets, int count,
      int classes, float share) {
    NDManager batch = replica.model().getNDManager().newSubManager();
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray x = batch.create(images, Network.inputShape(replica.shape(), count));
      NDArray y = batch.create(targets, new Shape(count, classes));
      NDList predictions = replica.block().forward(new ParameterStore(batch, false), new NDList(x), true);
      NDArray scaled = lossFunction.evaluate(new NDList(y), predictions).mul(share);
      collector.backward(scaled);
      return detachedCopy(scaled, batch);
    }
  }

  /** The loss value, kept; the chunk's activations and graph freed now (one chunk's memory at a time). */
  private static NDArray detachedCopy(NDArray value, NDManager batch) {
    NDArray kept = value.stopGradient();
    kept.detach();
    batch.close();
    return kept;
  }

  /** The all-reduce: every replica's gradient added onto the owner's, then the replicas' zeroed. */
  private void sumGradientsOntoOwner() {
    List<Parameter> target = owner.parameters();
    for (Network replica : others) {
      List<Parameter> source = replica.parameters();
      for (int i = 0; i < target.size(); i++) {
        if (!target.get(i).requiresGradient()) {
          continue;
        }
        NDArray replicaArray = source.get(i).getArray();
        try (NDArray gradient = replicaArray.getGradient();
             NDArray moved = gradient.toDevice(owner.device(), true);
             NDArray ownerGradient = definedGradient(target.get(i).getArray())) {
          ownerGradient.addi(moved);
        }
        JniUtils.zeroGrad((PtNDArray) replicaArray);
      }
    }
  }

  /**
   * The parameter's gradient tensor itself. PyTorch leaves it undefined for a parameter the
   * backward pass did not reach (a residual branch stochastic depth dropped on chunk 0), and DJL
   * then answers a fresh zero array that is not the gradient: a zero-valued backward through the
   * parameter defines it, so the sum lands where the optimizer reads it.
   */
  private static NDArray definedGradient(NDArray parameter) {
    PtNDArray gradient = JniUtils.getGradient((PtNDArray) parameter);
    if (gradient != null) {
      return gradient;
    }
    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
         NDArray zero = parameter.sum().mul(0f)) {
      collector.backward(zero);
    }
    return JniUtils.getGradient((PtNDArray) parameter);
  }

  @Override
  public void close() {
    others.forEach(Network::close);
  }
}
