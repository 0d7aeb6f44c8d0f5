package dev.semisup.worker.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.List;

/** The devices a pod's worker computes on: every GPU it sees, or the CPU when it sees none. */
public final class Devices {

  private Devices() {
  }

  /**
   * Every visible GPU, first the engine's default one (where {@link Network#create} puts a
   * network); the CPU alone when there is no GPU. The pod sees the GPUs its {@code resources.gpus}
   * requested (the device plugin exposes only those).
   */
  public static List<Device> ofPod() {
    Engine engine = Engine.getInstance();
    int gpus = engine.getGpuCount();
    if (gpus == 0) {
      return List.of(engine.defaultDevice());
    }
    List<Device> devices = new ArrayList<>();
    for (int gpu = 0; gpu < gpus; gpu++) {
      devices.add(Device.gpu(gpu));
    }
    return List.copyOf(devices);
  }
}
