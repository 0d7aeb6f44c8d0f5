package dev.semisup.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;

/**
 * The steps of {@link TrainingStepPhases} under libtorch's own profiler, written as a Chrome trace
 * (one event per aten operator, warm-up steps included) that bench/op_selftime.py sets beside
 * bench/peer_training_profile.py's trace of the same steps in PyTorch.
 *
 * <p>Usage: TrainingStepProfile TRACE.json ARCHITECTURE BATCH STEPS [own|trainer]
 */
public final class TrainingStepProfile {

  public static void main(String[] args) throws Exception {
    Engine.getEngine("PyTorch");
    JniUtils.startProfile(false, false, false);
    try {
      TrainingStepPhases.main(Arrays.copyOfRange(args, 1, args.length));
    } finally {
      JniUtils.stopProfile(args[0]);
    }
  }

  private TrainingStepProfile() {
  }
}
