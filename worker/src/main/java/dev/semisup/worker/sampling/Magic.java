package dev.semisup.worker.sampling;

/** Renders a format's magic number for messages: hex, and as text when it is printable. */
final class Magic {

  private Magic() {
  }

  static String describe(int magic) {
    StringBuilder text = new StringBuilder();
    for (int shift = 24; shift >= 0; shift -= 8) {
      int b = (magic >>> shift) & 0xff;
      if (b < 0x20 || b > 0x7e) {
        return String.format("0x%08x", magic);
      }
      text.append((char) b);
    }
    return String.format("0x%08x \"%s\"", magic, text);
  }
}
