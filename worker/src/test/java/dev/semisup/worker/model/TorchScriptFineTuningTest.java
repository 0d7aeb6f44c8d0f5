package dev.semisup.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.semisup.worker.testing.TorchScriptStudentFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What DJL can do with a torch-ddp student's TorchScript module, the question behind fine-tuning
 * one with the djl engine: loaded with trainable parameters, DJL's Trainer trains it (the loss
 * falls), and {@code JniUtils.writeModule} writes it back as TorchScript that loads again with the
 * trained weights. The worker's fine-tune does not use this yet (FinetuneStage refuses a
 * TorchScript student): its training loop, checkpoints and replicas are built on {@link Network}.
 */
class TorchScriptFineTuningTest {

  private static final int SIZE = 8;
  private static final int BATCH = 32;
  private static final ModelShape SHAPE = new ModelShape(1, SIZE, 3);

  @Test
  void djlTrainsALoadedModuleAndWritesItBackAsTorchScript() throws Exception {
    byte[] file = TorchScriptStudentFiles.bytes("step/model.pt");
    float[] probe = batch(new Random(99), 4, new float[4]);
    float[] before;
    try (TorchScriptNetwork original = TorchScriptNetwork.load(file, SHAPE, Device.cpu(), "model.pt")) {
      before = original.logits(probe, 4);
    }

    byte[] tuned;
    float[] tunedLogits;
    float firstLosses = 0;
    float lastLosses = 0;
    try (Model model = Model.newInstance("student", Device.cpu(), "PyTorch")) {
      model.load(new ByteArrayInputStream(file), Map.of("mapLocation", "true", "trainParam", "true"));
      PtSymbolBlock block = (PtSymbolBlock) model.getBlock();
      DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
          .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build());
      Random random = new Random(1);
      try (Trainer trainer = model.newTrainer(config)) {
        for (int step = 0; step < 30; step++) {
          try (NDManager batch = model.getNDManager().newSubManager()) {
            float[] labels = new float[BATCH];
            NDArray images = batch.create(batch(random, BATCH, labels), new Shape(BATCH, 1, SIZE, SIZE));
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDList out = trainer.forward(new NDList(images));
              NDArray loss = trainer.getLoss().evaluate(new NDList(batch.create(labels)), out);
              collector.backward(loss);
              if (step < 5) {
                firstLosses += loss.getFloat();
              } else if (step >= 25) {
                lastLosses += loss.getFloat();
              }
            }
            trainer.step();
          }
        }
      }
      try (NDManager batch = model.getNDManager().newSubManager()) {
        NDList out = block.forward(new ParameterStore(batch, false),
            new NDList(batch.create(probe, new Shape(4, 1, SIZE, SIZE))), false);
        tunedLogits = out.singletonOrThrow().toFloatArray();
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      JniUtils.writeModule(block, bytes, false);
      tuned = bytes.toByteArray();
    }

    assertThat(lastLosses).as("mean loss of the last 5 steps vs the first 5").isLessThan(firstLosses / 2);
    assertThat(TorchScriptNetwork.isZip(tuned)).isTrue();
    try (TorchScriptNetwork reloaded = TorchScriptNetwork.load(tuned, SHAPE, Device.cpu(), "tuned.pt")) {
      float[] after = reloaded.logits(probe, 4);
      for (int i = 0; i < after.length; i++) {
        assertThat((double) after[i]).as("logit %d", i).isCloseTo(tunedLogits[i], within(1e-5));
      }
      assertThat(after).as("trained: not the exported weights").isNotEqualTo(before);
    }
  }

  /** TinyDataset's task with bands of any brightness, normalised with the student card's mean 0.3 and std 0.4. */
  private static float[] batch(Random random, int count, float[] labels) {
    float[] images = new float[count * SIZE * SIZE];
    for (int i = 0; i < count; i++) {
      int label = random.nextInt(3);
      labels[i] = label;
      int brightness = random.nextInt(171);
      for (int p = 0; p < SIZE * SIZE; p++) {
        int row = p / SIZE;
        boolean band = row >= 2 * label + 1 && row < 2 * label + 3;
        images[i * SIZE * SIZE + p] = (float) ((Math.min(255, random.nextInt(70) + (band ? brightness : 0)) / 255.0 - 0.3)
            / 0.4);
      }
    }
    return images;
  }
}
