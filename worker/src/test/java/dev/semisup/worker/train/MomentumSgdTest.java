package dev.semisup.worker.train;

import static dev.semisup.worker.train.TrainingLoopTest.SHAPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.train.DataParallelTest.Batch;
import dev.semisup.worker.train.DataParallelTest.Training;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MomentumSgdTest {

  @Test
  void itsOwnStepUpdatesAsTheTrainersStepDoes() throws IOException {
    // Trainer.step() goes through DJL's parameter server (which copies each gradient first);
    // MomentumSgd.step reads the gradients in place. Same batches: the same parameters, to the bit.
    try (Network viaTrainer = Network.create("cnn-large", SHAPE, Regularization.NONE, 3);
         Network viaOwnStep = Network.create("cnn-large", SHAPE, Regularization.NONE, 3);
         Training reference = new Training(viaTrainer);
         Training own = new Training(viaOwnStep)) {
      for (int step = 0; step < 4; step++) {
        Batch batch = Batch.random(9, 40 + step, i -> i);
        float expected = reference.accumulatedStep(batch, new int[] {0, 9});
        float loss = ownStep(own, viaOwnStep, batch);
        assertThat(loss).isEqualTo(expected);
      }
      assertThat(viaOwnStep.parameterBytes()).isEqualTo(viaTrainer.parameterBytes());
    }
  }

  @Test
  void followsPyTorchsSgdAndZeroesTheGradient() {
    // v = momentum * v + grad + weightDecay * w;  w = w - lr * v, two steps, the learning rate
    // changed between them; the gradient of sum(c * w) is c, and zero after each step.
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray weight = manager.create(new float[] {1f, -2f});
      weight.setRequiresGradient(true);
      NDArray c = manager.create(new float[] {0.5f, 3f});
      Parameter parameter = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
      parameter.setArray(weight);
      MomentumSgd optimizer = new MomentumSgd(0.9f, 0.1f, manager);
      float[] w = {1f, -2f};
      float[] v = {0f, 0f};
      float[] g = {0.5f, 3f};
      float[] rates = {0.5f, 0.2f};
      for (float rate : rates) {
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
          collector.backward(weight.mul(c).sum());
        }
        optimizer.setLearningRate(rate);
        optimizer.step(List.of(parameter));
        for (int i = 0; i < 2; i++) {
          v[i] = 0.9f * v[i] + g[i] + 0.1f * w[i];
          w[i] = w[i] - rate * v[i];
        }
        assertThat(weight.toFloatArray()).containsExactly(w, within(1e-6f));
        assertThat(weight.getGradient().toFloatArray()).as("gradient zeroed").containsExactly(0f, 0f);
      }
      optimizer.closeState();
    }
  }

  @Test
  void itsFactorTensorsGiveTheBitsOfNumberOperands() {
    // The factors are 0-d tensors made once per value; written with Number operands (a new 0-d
    // tensor per call, as DJL makes them) the update must come out the same to the bit.
    java.util.Random random = new java.util.Random(7);
    float[] start = new float[4099];
    float[] gradient = new float[start.length];
    for (int i = 0; i < start.length; i++) {
      start[i] = (float) random.nextGaussian();
      gradient[i] = (float) random.nextGaussian() * 1e-2f;
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray weight = manager.create(start);
      NDArray expectedWeight = manager.create(start);
      NDArray expectedVelocity = manager.zeros(weight.getShape());
      NDArray grad = manager.create(gradient);
      MomentumSgd optimizer = new MomentumSgd(0.9f, 5e-4f, manager);
      for (float rate : new float[] {0.1f, 0.1f, 0.0371f, 0.003f}) {
        optimizer.setLearningRate(rate);
        optimizer.update("w", weight, grad);
        expectedVelocity.muli(0.9f).addi(grad).addi(expectedWeight.mul(5e-4f));
        expectedWeight.subi(expectedVelocity.mul(rate));
        assertThat(weight.toFloatArray()).containsExactly(expectedWeight.toFloatArray());
      }
      optimizer.closeState();
    }
  }

  private static float ownStep(Training training, Network network, Batch batch) {
    float loss;
    try (NDManager scope = training.trainer.getManager().newSubManager();
         GradientCollector collector = training.trainer.newGradientCollector()) {
      NDArray x = scope.create(batch.images(), Network.inputShape(SHAPE, batch.count()));
      NDArray y = scope.create(batch.targets(), new ai.djl.ndarray.types.Shape(batch.count(), SHAPE.classes()));
      NDArray value = training.trainer.getLoss().evaluate(new NDList(y), training.trainer.forward(new NDList(x)))
          .mul(1f);
      collector.backward(value);
      loss = value.getFloat();
    }
    training.optimizer.step(network.parameters());
    return loss;
  }
}
