package dev.semisup.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A parameter file's counts are its own word: checked against the network before they size anything. */
class ParameterCodecTest {

  private static final ModelShape SHAPE = new ModelShape(1, 8, 3);

  @Test
  void aValueCountOfHundredsOfMillionsIsRefusedWithoutAllocatingIt() throws IOException {
    try (Network network = Network.create("cnn-small", SHAPE, Regularization.NONE, 1)) {
      byte[] file = network.parameterBytes();
      ByteBuffer.wrap(file).putInt(firstValueCountAt(file), 400_000_000);

      long before = allocatedOnThisThread();
      assertThatThrownBy(() -> network.loadParameters(file, "model.params"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("declares 400000000 values");
      assertThat(allocatedOnThisThread() - before).isLessThan(64L << 20);
    }
  }

  @Test
  void aRankOfBillionsIsRefused() throws IOException {
    try (Network network = Network.create("cnn-small", SHAPE, Regularization.NONE, 1)) {
      byte[] file = network.parameterBytes();
      ByteBuffer.wrap(file).putInt(firstRankAt(file), 1_000_000_000);

      long before = allocatedOnThisThread();
      assertThatThrownBy(() -> network.loadParameters(file, "model.params"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("declares 1000000000 dimensions");
      assertThat(allocatedOnThisThread() - before).isLessThan(64L << 20);
    }
  }

  /** Magic, version and count, then the first parameter's name: its rank follows. */
  private static int firstRankAt(byte[] file) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(file));
    in.readInt();
    in.readInt();
    in.readInt();
    String name = in.readUTF();
    return 12 + 2 + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  private static int firstValueCountAt(byte[] file) throws IOException {
    int rankAt = firstRankAt(file);
    int rank = ByteBuffer.wrap(file).getInt(rankAt);
    return rankAt + 4 + 8 * rank;
  }

  private static long allocatedOnThisThread() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }
}
