package dev.semisup.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with momentum and weight decay whose state can be checkpointed: DJL's own optimizers keep
 * their momentum private, so a resumed run would restart with zero momentum and drift from an
 * uninterrupted one. The learning rate is set by the training loop before each step.
 *
 * <p>v = momentum * v + grad + weightDecay * w;  w = w - lr * v  (PyTorch's SGD convention).
 */
public final class MomentumSgd extends Optimizer {

  private final NDManager stateManager;
  private final Map<String, NDArray> velocity = new HashMap<>();
  // The factors as 0-d tensors made once: DJL turns a Number operand into a new tensor (a direct
  // buffer and two native calls) on every call, three per parameter per step otherwise. The
  // arithmetic is the same: that tensor is what it makes.
  private final NDArray momentum;
  private final NDArray weightDecay;
  private NDArray learningRate;
  private float learningRateValue = Float.NaN;

  public MomentumSgd(float momentum, float weightDecay, NDManager stateManager) {
    super(new Builder());
    this.stateManager = stateManager;
    this.momentum = stateManager.create(momentum);
    this.weightDecay = stateManager.create(weightDecay);
  }

  public void setLearningRate(float learningRate) {
    if (Float.compare(learningRate, learningRateValue) == 0) {
      return;
    }
    if (this.learningRate != null) {
      this.learningRate.close();
    }
    this.learningRate = stateManager.create(learningRate);
    learningRateValue = learningRate;
  }

  /**
   * Updates every trainable parameter from its gradient, then zeroes the gradient: what
   * {@code Trainer.step()} does, without the copy of each gradient that DJL's local parameter
   * server makes first (a full extra pass over the model, and an allocation of its size, every
   * step: a third of the optimizer's time on resnet18).
   */
  public void step(List<Parameter> parameters) {
    for (Parameter parameter : parameters) {
      if (!parameter.requiresGradient()) {
        continue;
      }
      NDArray weight = parameter.getArray();
      try (NDArray grad = weight.getGradient()) {
        update(parameter.getId(), weight, grad);
      }
    }
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    if (learningRate == null) {
      throw new IllegalStateException("MomentumSgd: setLearningRate before the first step");
    }
    NDArray v = velocity.computeIfAbsent(parameterId, id -> {
      NDArray zeros = stateManager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
      zeros.detach();
      return zeros;
    });
    try (NDArray decayed = weight.mul(weightDecay)) {
      v.muli(momentum).addi(grad).addi(decayed);
    }
    try (NDArray step = v.mul(learningRate)) {
      weight.subi(step);
    }
    // PyTorch accumulates gradients across backward passes, DJL hands optimizers a copy of the
    // gradient and only its built-in fused updates reset the original: reset it here.
    JniUtils.zeroGrad((PtNDArray) weight);
  }

  /** Momentum buffers in the given parameter order (null where a parameter has none yet). */
  public float[][] exportState(List<String> parameterIds) {
    float[][] state = new float[parameterIds.size()][];
    for (int i = 0; i < parameterIds.size(); i++) {
      NDArray v = velocity.get(parameterIds.get(i));
      state[i] = v == null ? null : v.toFloatArray();
    }
    return state;
  }

  public void importState(List<String> parameterIds, List<NDArray> weights, float[][] state) {
    if (state.length != parameterIds.size()) {
      throw new IllegalArgumentException("checkpoint has momentum for " + state.length
          + " parameters, the model has " + parameterIds.size());
    }
    velocity.values().forEach(NDArray::close);
    velocity.clear();
    for (int i = 0; i < state.length; i++) {
      if (state[i] != null) {
        NDArray v = stateManager.create(state[i], weights.get(i).getShape());
        v.detach();
        velocity.put(parameterIds.get(i), v);
      }
    }
  }

  public void closeState() {
    velocity.values().forEach(NDArray::close);
    velocity.clear();
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
