package dev.semisup.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Model parameters as a stream: name, shape and float32 values of every parameter (batch-norm
 * running statistics included), in the block's order. Loading copies values into the existing
 * arrays instead of replacing them: DJL's own loader swaps in new PyTorch tensors that are no
 * longer attached to autograd, so a resumed model could not be trained further.
 */
final class ParameterCodec {

  private static final int MAGIC = 0x53534d50; // "SSMP"
  private static final int VERSION = 1;

  private ParameterCodec() {
  }

  static void write(PairList<String, Parameter> parameters, DataOutputStream out) throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(parameters.size());
    for (Pair<String, Parameter> pair : parameters) {
      NDArray array = pair.getValue().getArray();
      out.writeUTF(pair.getKey());
      long[] dims = array.getShape().getShape();
      out.writeInt(dims.length);
      for (long dim : dims) {
        out.writeLong(dim);
      }
      float[] values = array.toType(DataType.FLOAT32, false).toFloatArray();
      ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
      bytes.asFloatBuffer().put(values);
      out.writeInt(values.length);
      out.write(bytes.array());
    }
  }

  /** Dimensions of the largest parameter (a convolution's weight has 4). */
  private static final int MAX_RANK = 8;

  static void read(PairList<String, Parameter> parameters, DataInputStream in, String name) throws IOException {
    // An in-place write to a parameter autograd tracks needs grad mode off on this thread.
    GradMode.off();
    try {
      if (in.readInt() != MAGIC) {
        throw new IOException(name + ": not a semisup model parameter file");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException(name + ": parameter file version " + version + " is not supported");
      }
      int count = in.readInt();
      if (count != parameters.size()) {
        throw new IOException(name + ": holds " + count + " parameters, the model has " + parameters.size());
      }
      for (Pair<String, Parameter> pair : parameters) {
        String stored = in.readUTF();
        int rank = in.readInt();
        if (rank < 0 || rank > MAX_RANK) {
          throw new IOException(name + ": parameter " + stored + " declares " + rank + " dimensions; none has more than "
              + MAX_RANK);
        }
        long[] dims = new long[rank];
        for (int i = 0; i < dims.length; i++) {
          dims[i] = in.readLong();
        }
        NDArray array = pair.getValue().getArray();
        if (!stored.equals(pair.getKey()) || !array.getShape().equals(new Shape(dims))) {
          throw new IOException(name + ": parameter " + stored + Arrays.toString(dims) + " does not match the model's "
              + pair.getKey() + array.getShape());
        }
        int declared = in.readInt();
        // The count is the file's word: checked against the parameter's shape before it sizes anything.
        if (declared != array.size()) {
          throw new IOException(name + ": parameter " + stored + " declares " + declared + " values, its shape "
              + array.getShape() + " holds " + array.size());
        }
        byte[] bytes = new byte[declared * Float.BYTES];
        in.readFully(bytes);
        FloatBuffer values = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).asFloatBuffer();
        float[] copy = new float[values.remaining()];
        values.get(copy);
        copyInto(array, copy);
      }
    } catch (EOFException e) {
      throw new IOException(name + ": parameter file is truncated", e);
    }
  }

  /**
   * Writes the values into the parameter's own tensor, as an indexed in-place copy. Not
   * NDArray.set(float[]): DJL's native code for that enters libtorch's deprecated
   * AutoNonVariableTypeMode, and libtorch then prints a warning about "silent wrong result" on
   * every run's terminal. The indexed copy is an ordinary in-place op and says nothing.
   */
  private static void copyInto(NDArray array, float[] values) {
    try (NDManager scratch = array.getManager().newSubManager()) {
      array.set(new NDIndex("..."), scratch.create(values, array.getShape()).toType(array.getDataType(), false));
    }
  }
}
