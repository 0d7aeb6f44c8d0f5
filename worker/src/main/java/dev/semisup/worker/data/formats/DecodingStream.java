package dev.semisup.worker.data.formats;

import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.decode.ImageDecoder;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.pipeline.DecodeSettings;
import dev.semisup.worker.data.pipeline.OrderedDecoding;
import java.io.Closeable;
import java.io.IOException;

/**
 * A pass of a file-based source (tar shards, a folder of images) whose images are read as bytes
 * in the source's order and decoded through the {@link OrderedDecoding} pipeline: the same images
 * in the same order as a one-threaded pass, the decoding spread over the settings' threads. An
 * image that will not decode is handled at its place in the order ({@link CorruptImages}: skipped
 * and counted in {@link #skipped()} for a pool, fatal for a labeled set).
 */
final class DecodingStream implements ImageStream {

  /**
   * One image as read: its bytes and what its record will say; {@code where} names it in messages.
   * The bytes come from {@code bytes}, called on a decode thread: a tar member's are already in
   * memory, a folder's image file is fetched there, so the fetches of a folder pool overlap too.
   */
  record EncodedImage(Bytes bytes, long ordinal, String key, int label, String where) {
  }

  /** Where an image's bytes come from. */
  @FunctionalInterface
  interface Bytes {
    byte[] read() throws IOException;
  }

  private final OrderedDecoding<EncodedImage, ImageRecord> pipeline;
  private final Closeable input;
  private final CorruptImages corrupt;

  /**
   * @param reader the source's images in order, null at the end
   * @param input  closed with the pass, after the decode threads have stopped
   */
  DecodingStream(OrderedDecoding.Reader<EncodedImage> reader, Closeable input, ImageGeometry geometry,
      boolean skipCorrupt, DecodeSettings settings) {
    this(reader, input, geometry, new CorruptImages(skipCorrupt), settings);
  }

  /** As above, counting in {@code corrupt}, which the reader may also tell of images it skips itself. */
  DecodingStream(OrderedDecoding.Reader<EncodedImage> reader, Closeable input, ImageGeometry geometry,
      CorruptImages corrupt, DecodeSettings settings) {
    this.pipeline = new OrderedDecoding<>(reader,
        image -> ImageDecoder.decodeFitted(image.bytes().read(), image.ordinal(), image.key(), image.label(), geometry), settings);
    this.input = input;
    this.corrupt = corrupt;
  }

  @Override
  public ImageRecord next() throws IOException {
    try {
      OrderedDecoding.Outcome<EncodedImage, ImageRecord> outcome;
      while ((outcome = pipeline.next()) != null) {
        if (!outcome.failed()) {
          return outcome.value();
        }
        if (!(outcome.failure() instanceof ImageDecoder.CorruptImageException cause)) {
          throw outcome.failure();
        }
        corrupt.onCorrupt(outcome.item().where(), cause);
      }
      return null;
    } catch (IOException | RuntimeException e) {
      // A failed pass stops decoding at once: no thread waits for a close that may come late.
      pipeline.close();
      throw e;
    }
  }

  @Override
  public long skipped() {
    return corrupt.skipped();
  }

  @Override
  public void close() throws IOException {
    corrupt.summarise();
    try {
      pipeline.close();
    } finally {
      input.close();
    }
  }
}
