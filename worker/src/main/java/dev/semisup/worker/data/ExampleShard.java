package dev.semisup.worker.data;

import java.io.Closeable;
import java.io.IOException;

/**
 * One unit of a streamed training set: a packed tar shard, or a labeled source read as a whole.
 * Examples are read in the shard's order but decoded only when asked, so a shuffle buffer can
 * hold encoded bytes, a resumed pass can replay its position without decoding, and the decode
 * pipeline ({@code data.pipeline.OrderedDecoding}) decodes on its threads behind the sample order
 * without changing it: {@link Encoded#decode()} is called on those threads.
 */
public interface ExampleShard {

  /** A readable name for messages: the object's URI. */
  String describe();

  /** A pass over this shard from its first example. */
  Reader open() throws IOException;

  /** One pass over a shard. */
  interface Reader extends Closeable {

    /** The next example, not yet decoded; null at the end. A broken shard throws naming shard and offset. */
    Encoded next() throws IOException;
  }

  /** An example as read: decoding waits until it is trained on. */
  interface Encoded {

    /** The decoded example; an image that will not decode throws {@link CorruptExample}. */
    TrainingExample decode() throws IOException;
  }

  /** An image that will not decode: the stream skips and counts it, as the pool's readers do. */
  final class CorruptExample extends IOException {
    public CorruptExample(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
