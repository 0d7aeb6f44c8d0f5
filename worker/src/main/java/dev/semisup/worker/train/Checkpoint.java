package dev.semisup.worker.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Everything needed to continue training exactly where it stopped: the epochs completed, how far
 * into the next epoch (batches trained, the position in the epoch's order, and the loss so far,
 * so the epoch's mean loss comes out the same), the model parameters (DJL's stream format) and
 * the optimizer's momentum. The random state needs no saving: every source of randomness is
 * seeded from (seed, epoch, batch), and the epoch's order is replayed up to the position.
 * Version 1 files (written at epoch ends only) still read, as epoch-end checkpoints.
 */
public record Checkpoint(int epochsDone, int batchesIntoEpoch, long position, double epochLossSum,
    long epochExamples, byte[] parameters, float[][] momentum) {

  private static final int MAGIC = 0x53534350; // "SSCP"
  private static final int VERSION = 2;

  /** A checkpoint at the end of an epoch. */
  public Checkpoint(int epochsDone, byte[] parameters, float[][] momentum) {
    this(epochsDone, 0, 0, 0, 0, parameters, momentum);
  }

  /** Whether it was written inside an epoch rather than at its end. */
  public boolean midEpoch() {
    return batchesIntoEpoch > 0;
  }

  public void write(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(MAGIC);
    data.writeInt(VERSION);
    data.writeInt(epochsDone);
    data.writeInt(batchesIntoEpoch);
    data.writeLong(position);
    data.writeDouble(epochLossSum);
    data.writeLong(epochExamples);
    data.writeInt(parameters.length);
    data.write(parameters);
    data.writeInt(momentum.length);
    for (float[] buffer : momentum) {
      if (buffer == null) {
        data.writeInt(-1);
        continue;
      }
      data.writeInt(buffer.length);
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(buffer.length * Float.BYTES);
      bytes.asFloatBuffer().put(buffer);
      data.write(bytes.array());
    }
    data.flush();
  }

  public static Checkpoint read(InputStream in, String name) throws IOException {
    DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in));
    try {
      if (data.readInt() != MAGIC) {
        throw new IOException(name + ": not a semisup checkpoint");
      }
      int version = data.readInt();
      if (version != 1 && version != VERSION) {
        throw new IOException(name + ": checkpoint version " + version + " is not supported");
      }
      int epochs = data.readInt();
      int batches = version == 1 ? 0 : data.readInt();
      long position = version == 1 ? 0 : data.readLong();
      double lossSum = version == 1 ? 0 : data.readDouble();
      long examples = version == 1 ? 0 : data.readLong();
      byte[] parameters = new byte[data.readInt()];
      data.readFully(parameters);
      float[][] momentum = new float[data.readInt()][];
      for (int i = 0; i < momentum.length; i++) {
        int length = data.readInt();
        if (length < 0) {
          continue;
        }
        byte[] bytes = new byte[length * Float.BYTES];
        data.readFully(bytes);
        momentum[i] = new float[length];
        java.nio.ByteBuffer.wrap(bytes).asFloatBuffer().get(momentum[i]);
      }
      return new Checkpoint(epochs, batches, position, lossSum, examples, parameters, momentum);
    } catch (java.io.EOFException e) {
      throw new IOException(name + ": checkpoint is truncated", e);
    }
  }
}
