package dev.semisup.worker.data;

import dev.semisup.worker.data.formats.IdxSource;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Writes small data sets in every format the readers know, with pixels a test can predict. */
public final class DataFiles {

  private DataFiles() {
  }

  /** Pixel value of image i at byte position p: distinct across images and positions. */
  public static byte pixel(int image, int position) {
    return (byte) (image * 31 + position * 7);
  }

  public static byte[] pixels(int image, int length) {
    byte[] pixels = new byte[length];
    for (int p = 0; p < length; p++) {
      pixels[p] = pixel(image, p);
    }
    return pixels;
  }

  public static byte[] idxImages(int count, int rows, int cols) {
    ByteBuffer buffer = ByteBuffer.allocate(16 + count * rows * cols);
    buffer.putInt(IdxSource.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols);
    for (int i = 0; i < count; i++) {
      buffer.put(pixels(i, rows * cols));
    }
    return buffer.array();
  }

  public static byte[] idxLabels(int... labels) {
    ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
    buffer.putInt(IdxSource.LABELS_MAGIC).putInt(labels.length);
    for (int label : labels) {
      buffer.put((byte) label);
    }
    return buffer.array();
  }

  public static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  /** CIFAR records for images first..first+labels.length-1; CIFAR-100 gets coarse label 99 - fine. */
  public static byte[] cifar(int first, boolean hundred, int... labels) {
    int header = hundred ? 2 : 1;
    ByteBuffer buffer = ByteBuffer.allocate(labels.length * (header + 3072));
    for (int i = 0; i < labels.length; i++) {
      if (hundred) {
        buffer.put((byte) (99 - labels[i]));
      }
      buffer.put((byte) labels[i]).put(pixels(first + i, 3072));
    }
    return buffer.array();
  }

  /** A grey image with pixel(image, y * width + x). */
  public static BufferedImage grey(int image, int height, int width) {
    BufferedImage grey = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setDataElements(0, 0, width, height, pixels(image, height * width));
    return grey;
  }

  /** An RGB image whose channel-major pixels are pixels(image, 3 * height * width). */
  public static BufferedImage rgb(int image, int height, int width) {
    byte[] expected = pixels(image, 3 * height * width);
    int plane = height * width;
    BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        rgb.setRGB(x, y, (expected[i] & 0xff) << 16 | (expected[plane + i] & 0xff) << 8 | (expected[2 * plane + i] & 0xff));
      }
    }
    return rgb;
  }

  public static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(image, format, out)) {
      throw new IOException("no ImageIO writer for " + format);
    }
    return out.toByteArray();
  }

  public static Path write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.write(file, bytes);
  }

  /** A tar of the members in the map's order (use a LinkedHashMap). */
  public static Path tar(Path file, Map<String, byte[]> members) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (Map.Entry<String, byte[]> member : members.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(member.getKey());
        entry.setSize(member.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(member.getValue());
        tar.closeArchiveEntry();
      }
    }
    return file;
  }

  /**
   * A real PNG of a few dozen bytes whose IHDR declares width x height grey pixels: signature,
   * IHDR, one IDAT of a tiny zlib stream (far too short for the declared size), IEND, every CRC
   * right. A decoder that trusts the header allocates width x height bytes before it finds out.
   */
  public static byte[] pngHeader(int width, int height) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(png, "IHDR", ihdr.array());
    java.util.zip.Deflater deflater = new java.util.zip.Deflater();
    deflater.setInput(new byte[64]);
    deflater.finish();
    byte[] compressed = new byte[128];
    int length = deflater.deflate(compressed);
    deflater.end();
    chunk(png, "IDAT", java.util.Arrays.copyOf(compressed, length));
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(typeBytes);
    crc.update(data);
    png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    png.writeBytes(typeBytes);
    png.writeBytes(data);
    png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** A real JPEG (8x8, encoded by ImageIO) whose SOF0 header is rewritten to declare width x height. */
  public static byte[] jpegHeader(int width, int height) throws IOException {
    byte[] jpeg = encode(rgb(0, 8, 8), "jpg");
    for (int i = 2; i + 8 < jpeg.length; i++) {
      if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xc0) {
        // FF C0, length (2), precision (1), height (2), width (2)
        jpeg[i + 5] = (byte) (height >> 8);
        jpeg[i + 6] = (byte) height;
        jpeg[i + 7] = (byte) (width >> 8);
        jpeg[i + 8] = (byte) width;
        return jpeg;
      }
    }
    throw new IOException("no SOF0 marker in ImageIO's JPEG");
  }

  public static byte[] cls(int label) {
    return (label + "\n").getBytes(StandardCharsets.US_ASCII);
  }
}
