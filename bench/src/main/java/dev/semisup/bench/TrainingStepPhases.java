package dev.semisup.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import dev.semisup.worker.model.GradMode;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.train.MomentumSgd;
import java.util.Random;

/**
 * Where a training step's time goes in DJL: the same step as the training loop (batch in, forward,
 * loss, backward, optimizer), each phase timed over STEPS steps after 5 of warm-up, on one random
 * batch; bench/peer_training_step.py times the same phases in PyTorch. With {@code trainer} as
 * the last argument the optimizer runs through DJL's {@code Trainer.step()} (which copies every
 * gradient first) instead of {@code MomentumSgd.step}, for the comparison.
 *
 * <p>Usage: TrainingStepPhases ARCHITECTURE BATCH STEPS [own|trainer]
 */
public final class TrainingStepPhases {

  private static final String[] PHASES = {"batch", "forward", "loss", "backward", "optimizer"};

  public static void main(String[] args) throws Exception {
    String architecture = args[0];
    int batch = Integer.parseInt(args[1]);
    int steps = Integer.parseInt(args[2]);
    boolean viaTrainer = args.length > 3 && args[3].equals("trainer");
    ModelShape shape = new ModelShape(1, 28, 10);
    Random random = new Random(1);
    float[] images = new float[batch * shape.pixels()];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextGaussian();
    }
    float[] targets = new float[batch * shape.classes()];
    for (int i = 0; i < batch; i++) {
      targets[i * shape.classes() + random.nextInt(shape.classes())] = 1f;
    }
    try (Network network = Network.create(architecture, shape, Regularization.NONE, 1);
         NDManager state = network.model().getNDManager().newSubManager()) {
      GradMode.off();
      MomentumSgd optimizer = new MomentumSgd(0.9f, 5e-4f, state);
      optimizer.setLearningRate(0.05f);
      long[] nanos = new long[PHASES.length];
      try (Trainer trainer = network.model().newTrainer(new DefaultTrainingConfig(
          new SoftmaxCrossEntropyLoss("loss", 1f, -1, false, true)).optOptimizer(optimizer))) {
        for (int step = 0; step < steps + 5; step++) {
          if (step == 5) {
            java.util.Arrays.fill(nanos, 0);
          }
          long t0 = System.nanoTime();
          try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = scope.create(images, Network.inputShape(shape, batch));
            NDArray y = scope.create(targets, new Shape(batch, shape.classes()));
            long t1 = System.nanoTime();
            long t2;
            long t3;
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDList predictions = trainer.forward(new NDList(x));
              t2 = System.nanoTime();
              NDArray loss = trainer.getLoss().evaluate(new NDList(y), predictions);
              loss.getFloat();
              t3 = System.nanoTime();
              collector.backward(loss);
            }
            long t4 = System.nanoTime();
            if (viaTrainer) {
              trainer.step();
            } else {
              optimizer.step(network.parameters());
            }
            long t5 = System.nanoTime();
            nanos[0] += t1 - t0;
            nanos[1] += t2 - t1;
            nanos[2] += t3 - t2;
            nanos[3] += t4 - t3;
            nanos[4] += t5 - t4;
          }
        }
      }
      optimizer.closeState();
      StringBuilder line = new StringBuilder("engine=djl" + (viaTrainer ? "-trainer-step" : "") + " architecture="
          + architecture + " batch=" + batch + " steps=" + steps);
      long total = 0;
      for (int p = 0; p < PHASES.length; p++) {
        line.append(String.format(" %s_ms=%.2f", PHASES[p], nanos[p] / 1e6 / steps));
        total += nanos[p];
      }
      line.append(String.format(" step_ms=%.2f img_s=%.1f", total / 1e6 / steps, batch * steps / (total / 1e9)));
      System.out.println(line);
    }
  }
}
