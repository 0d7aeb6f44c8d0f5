import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The worker's own networks for the trainer's architecture test: each built from a seed by the worker (DJL), its
 * parameters written in the worker's format (model.params) and its class probabilities for a fixed input
 * (probabilities.bin, big-endian float32), so the test can load the same parameters into the trainer's network
 * and compare what the two compute. One JVM for all of them: the engine starts once.
 *
 * <p>java -cp WORKER_CLASSPATH DjlReference.java OUT_DIR NAME:ARCHITECTURE:CHANNELS:SIZE:CLASSES:IMAGES...
 * writes OUT_DIR/NAME/model.params and OUT_DIR/NAME/probabilities.bin.
 */
public final class DjlReference {

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    for (int i = 1; i < args.length; i++) {
      String[] field = args[i].split(":");
      ModelShape shape = new ModelShape(Integer.parseInt(field[2]), Integer.parseInt(field[3]), Integer.parseInt(field[4]));
      write(field[1], shape, Integer.parseInt(field[5]), Files.createDirectories(out.resolve(field[0])));
    }
  }

  private static void write(String architecture, ModelShape shape, int images, Path folder) throws Exception {
    try (Network network = Network.create(architecture, shape, Regularization.NONE, 11)) {
      try (OutputStream file = Files.newOutputStream(folder.resolve("model.params"))) {
        network.saveParameters(file);
      }
      float[] input = new float[images * shape.pixels()];
      for (int i = 0; i < input.length; i++) {
        input[i] = (float) Math.sin(0.37 * i);
      }
      float[] probabilities = network.probabilities(input, images);
      try (DataOutputStream data = new DataOutputStream(Files.newOutputStream(folder.resolve("probabilities.bin")))) {
        for (float p : probabilities) {
          data.writeFloat(p);
        }
      }
    }
  }
}
