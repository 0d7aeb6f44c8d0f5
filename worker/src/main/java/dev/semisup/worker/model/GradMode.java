package dev.semisup.worker.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch records autograd history per thread, on by default; DJL turns it off only on the
 * thread that loads the engine. A stage run on another thread (an executor, the in-process test
 * kubelet) would then record graphs during inference and refuse the optimizer's in-place update.
 */
public final class GradMode {

  private GradMode() {
  }

  public static void off() {
    JniUtils.setGradMode(false);
  }
}
