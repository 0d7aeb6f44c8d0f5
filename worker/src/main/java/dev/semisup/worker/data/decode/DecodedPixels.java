package dev.semisup.worker.data.decode;

/** A decoded image before it has a name: 8-bit, channel-major, 1 (grey) or 3 (RGB) channels. */
record DecodedPixels(int channels, int height, int width, byte[] pixels) {
}
