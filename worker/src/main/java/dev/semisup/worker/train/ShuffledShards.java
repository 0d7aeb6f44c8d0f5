package dev.semisup.worker.train;

import dev.semisup.worker.data.ExampleShard;
import dev.semisup.worker.data.TrainingExample;
import dev.semisup.worker.data.pipeline.DecodeSettings;
import dev.semisup.worker.data.pipeline.OrderedDecoding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training set streamed from shards, never held whole: each epoch reads the shards in a
 * seeded order through a bounded shuffle buffer (a random pick of the buffered examples, each
 * replaced by the next one read), so memory is O(buffer + batch) whatever the data's size.
 *
 * <p>The buffer holds examples as read, not decoded, and both random sources are seeded by the
 * epoch alone: the order is a pure function of (seed, epoch, shards). A pass reopened at a
 * position replays the picks up to it, reading but not decoding, and goes on exactly as the
 * interrupted pass would have. Corrupt images are skipped at decode time and counted; they still
 * take their place in the order, so a replay needs no decoding to find its position.
 *
 * <p>Decoding runs behind that order on the decode pipeline ({@link OrderedDecoding}): examples
 * are taken from the buffer on the training thread, decoded on the pipeline's threads, and handed
 * back in the order taken, so the batches are the same whatever the thread count. The pass's
 * position counts the examples handed back (skipped ones included), never those read ahead.
 */
public final class ShuffledShards implements TrainingSet {

  private static final Logger LOG = LoggerFactory.getLogger(ShuffledShards.class);
  // Distinct streams of one epoch seed: the shard order and the buffer's picks.
  private static final long SHARD_ORDER = 0x5DEECE66DL;
  private static final long BUFFER_PICKS = 0x9E3779B97F4A7C15L;

  private final List<ExampleShard> shards;
  private final int classes;
  private final long examplesPerEpoch;
  private final int bufferSize;
  private final DecodeSettings decoding;

  /**
   * @param examplesPerEpoch the examples the shards hold, as the step that wrote them counted
   * @param bufferSize       examples held for shuffling; 1 reads the shards in order
   */
  public ShuffledShards(List<ExampleShard> shards, int classes, long examplesPerEpoch, int bufferSize) {
    this(shards, classes, examplesPerEpoch, bufferSize, DecodeSettings.configured());
  }

  /** As above, decoding with the given settings rather than the process's. */
  public ShuffledShards(List<ExampleShard> shards, int classes, long examplesPerEpoch, int bufferSize,
      DecodeSettings decoding) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("a streamed training set needs at least one shard");
    }
    if (bufferSize < 1) {
      throw new IllegalArgumentException("shuffleBuffer: must be at least 1, was " + bufferSize);
    }
    this.shards = List.copyOf(shards);
    this.classes = classes;
    this.examplesPerEpoch = examplesPerEpoch;
    this.bufferSize = bufferSize;
    this.decoding = decoding;
  }

  @Override
  public int classes() {
    return classes;
  }

  @Override
  public long examplesPerEpoch() {
    return examplesPerEpoch;
  }

  public int bufferSize() {
    return bufferSize;
  }

  @Override
  public Pass epoch(long seed, int epoch, long position) throws IOException {
    long epochSeed = TrainingSet.epochSeed(seed, epoch);
    int[] order = Examples.permutation(shards.size(), new Random(epochSeed ^ SHARD_ORDER));
    StreamPass pass = new StreamPass(order, new Random(epochSeed ^ BUFFER_PICKS));
    try {
      for (long i = 0; i < position; i++) {
        if (pass.take() == null) {
          throw new IOException("a checkpoint at example " + position + " of epoch " + (epoch + 1)
              + " is past the end of the training data (" + i + " examples): the data changed under the run");
        }
      }
    } catch (IOException | RuntimeException e) {
      pass.close();
      throw e;
    }
    return pass;
  }

  /** An example taken from the order, with the pass's position once it is handed back. */
  private record Taken(ExampleShard.Encoded encoded, long position) {
  }

  private final class StreamPass implements Pass {
    private final int[] order;
    private final Random picks;
    private final List<ExampleShard.Encoded> buffer = new ArrayList<>();
    private int nextShard;
    private ExampleShard.Reader reader;
    private boolean inputEnded;
    private long taken;
    private long position;
    private long skipped;
    private OrderedDecoding<Taken, TrainingExample> pipeline;

    StreamPass(int[] order, Random picks) {
      this.order = order;
      this.picks = picks;
    }

    @Override
    public TrainingExample next() throws IOException {
      if (pipeline == null) {
        // Started here, not in the constructor: a resumed pass has replayed its position by now.
        position = taken;
        pipeline = new OrderedDecoding<>(this::takeNext, next -> next.encoded().decode(), decoding);
      }
      try {
        OrderedDecoding.Outcome<Taken, TrainingExample> outcome;
        while ((outcome = pipeline.next()) != null) {
          position = outcome.item().position();
          if (!outcome.failed()) {
            TrainingExample example = outcome.value();
            if (example.largestClass() >= classes) {
              throw new IOException("image " + example.image().key() + ": class " + example.largestClass()
                  + " outside 0.." + (classes - 1));
            }
            return example;
          }
          if (!(outcome.failure() instanceof ExampleShard.CorruptExample corrupt)) {
            throw outcome.failure();
          }
          skipped++;
          LOG.warn("Skipping corrupt image: {}", corrupt.getMessage());
        }
        return null;
      } catch (IOException | RuntimeException e) {
        pipeline.close();
        throw e;
      }
    }

    private Taken takeNext() throws IOException {
      ExampleShard.Encoded encoded = take();
      return encoded == null ? null : new Taken(encoded, taken);
    }

    /** The next example of the order, undecoded: the buffer is topped up, then one is picked. */
    ExampleShard.Encoded take() throws IOException {
      while (buffer.size() < bufferSize && !inputEnded) {
        ExampleShard.Encoded read = read();
        if (read == null) {
          inputEnded = true;
        } else {
          buffer.add(read);
        }
      }
      if (buffer.isEmpty()) {
        return null;
      }
      int pick = picks.nextInt(buffer.size());
      ExampleShard.Encoded picked = buffer.get(pick);
      ExampleShard.Encoded last = buffer.remove(buffer.size() - 1);
      if (pick < buffer.size()) {
        buffer.set(pick, last);
      }
      taken++;
      return picked;
    }

    private ExampleShard.Encoded read() throws IOException {
      while (true) {
        if (reader == null) {
          if (nextShard >= order.length) {
            return null;
          }
          reader = shards.get(order[nextShard++]).open();
        }
        ExampleShard.Encoded read = reader.next();
        if (read != null) {
          return read;
        }
        reader.close();
        reader = null;
      }
    }

    @Override
    public long position() {
      return pipeline == null ? taken : position;
    }

    @Override
    public long skipped() {
      return skipped;
    }

    @Override
    public void close() throws IOException {
      if (pipeline != null) {
        pipeline.close();
      }
      buffer.clear();
      if (reader != null) {
        reader.close();
        reader = null;
      }
    }
  }
}
