package dev.semisup.worker.model;

import java.nio.ByteBuffer;

/**
 * Up to {@link #capacity()} images of 8-bit pixels, channel-major like the model's input, in one
 * direct buffer made once and refilled batch after batch. The engine reads the bytes from it
 * (libtorch copies them to an accelerator, or reads them in place on the CPU) and normalises them
 * there ({@link InputNormalisation}): a quarter of the bytes of a float batch cross the host's
 * memory, and no buffer is allocated per batch.
 */
public final class PixelBatch {

  private final ByteBuffer pixels;
  private final int imagePixels;
  private final int capacity;
  private int count;

  public PixelBatch(int capacity, int imagePixels) {
    if (capacity < 1 || imagePixels < 1) {
      throw new IllegalArgumentException("a batch holds at least one image of at least one pixel, not " + capacity
          + " of " + imagePixels);
    }
    this.pixels = ByteBuffer.allocateDirect(Math.multiplyExact(capacity, imagePixels));
    this.imagePixels = imagePixels;
    this.capacity = capacity;
  }

  /** Appends one image's pixels (channel-major, exactly one image's worth). */
  public void add(byte[] image) {
    if (image.length != imagePixels) {
      throw new IllegalArgumentException("an image of " + image.length + " bytes, where the batch holds images of "
          + imagePixels);
    }
    if (count == capacity) {
      throw new IllegalStateException("the batch is full (" + capacity + " images)");
    }
    pixels.put(count * imagePixels, image);
    count++;
  }

  public int count() {
    return count;
  }

  public int capacity() {
    return capacity;
  }

  public boolean full() {
    return count == capacity;
  }

  public int imagePixels() {
    return imagePixels;
  }

  /** Empties the batch for refilling; the buffer stays. */
  public void clear() {
    count = 0;
  }

  /** The images added so far: a view of exactly count x imagePixels bytes over the batch's buffer. */
  public ByteBuffer images() {
    return pixels.slice(0, count * imagePixels);
  }
}
