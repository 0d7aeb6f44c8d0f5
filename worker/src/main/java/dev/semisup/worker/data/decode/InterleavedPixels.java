package dev.semisup.worker.data.decode;

/**
 * A decoded image as libjpeg-turbo writes it: 8-bit, interleaved ({@code channels} samples per
 * pixel, 1 grey or 3 RGB), rows of {@code width * channels} bytes from index 0 of {@code samples}.
 * The array may be longer than the image and may be the decoding thread's reused buffer: it is
 * valid until that thread decodes again, so it is resized or copied at once, never kept.
 */
record InterleavedPixels(int channels, int height, int width, byte[] samples) {

  /** A copy in the worker's channel-major layout (RRR...GGG...BBB...), owned by the caller. */
  DecodedPixels toChannelMajor() {
    int plane = height * width;
    byte[] pixels = new byte[channels * plane];
    if (channels == 1) {
      System.arraycopy(samples, 0, pixels, 0, plane);
    } else {
      for (int i = 0, j = 0; i < plane; i++, j += 3) {
        pixels[i] = samples[j];
        pixels[plane + i] = samples[j + 1];
        pixels[2 * plane + i] = samples[j + 2];
      }
    }
    return new DecodedPixels(channels, height, width, pixels);
  }
}
