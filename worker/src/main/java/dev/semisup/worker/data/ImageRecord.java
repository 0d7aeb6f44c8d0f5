package dev.semisup.worker.data;

/**
 * One decoded image. {@code ordinal} is its position in its source (0-based, stable for a given
 * source), {@code key} a readable reference (file, shard member or record number), {@code label}
 * the class or {@link #UNLABELED}. Pixels are 8-bit, channel-major: pixels[c * h * w + y * w + x].
 */
public record ImageRecord(long ordinal, String key, int label, int channels, int height, int width, byte[] pixels) {

  public static final int UNLABELED = -1;

  public ImageRecord {
    if (pixels.length != channels * height * width) {
      throw new IllegalArgumentException("image " + key + ": " + pixels.length + " bytes for "
          + channels + "x" + height + "x" + width);
    }
  }

  public boolean labeled() {
    return label >= 0;
  }
}
