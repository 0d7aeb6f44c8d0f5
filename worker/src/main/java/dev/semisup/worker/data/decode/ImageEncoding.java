package dev.semisup.worker.data.decode;

import dev.semisup.worker.data.ImageRecord;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.function.Consumer;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A decoded image (planar grey or RGB, or an AWT image) encoded again as a file: lossless PNG, or
 * JPEG at a quality; the one ImageIO writer of the project, in memory.
 */
public final class ImageEncoding {

  private ImageEncoding() {
  }

  /** Lossless 8-bit PNG: grey for one channel, RGB for three. */
  public static byte[] png(ImageRecord image) throws IOException {
    return png(asBufferedImage(image, "PNG"));
  }

  /** Baseline JPEG at a quality of 1..100 (ImageIO: 4:2:0 chroma for colour). */
  public static byte[] jpeg(ImageRecord image, int quality) throws IOException {
    return jpeg(asBufferedImage(image, "JPEG"), quality);
  }

  /** Lossless PNG of an AWT image. */
  public static byte[] png(BufferedImage image) throws IOException {
    return write(image, "png", param -> { });
  }

  /** Baseline JPEG of an AWT image at a quality of 1..100. */
  public static byte[] jpeg(BufferedImage image, int quality) throws IOException {
    return write(image, "jpeg", param -> {
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality / 100f);
    });
  }

  private static BufferedImage asBufferedImage(ImageRecord image, String format) {
    int h = image.height();
    int w = image.width();
    int plane = h * w;
    byte[] pixels = image.pixels();
    if (image.channels() == 1) {
      BufferedImage grey = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      grey.getRaster().setDataElements(0, 0, w, h, pixels);
      return grey;
    }
    if (image.channels() != 3) {
      throw new IllegalArgumentException("image " + image.key() + " has " + image.channels() + " channels; " + format
          + " takes 1 or 3");
    }
    BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] interleaved = new byte[3 * plane];
    for (int i = 0; i < plane; i++) {
      interleaved[3 * i] = pixels[i];
      interleaved[3 * i + 1] = pixels[plane + i];
      interleaved[3 * i + 2] = pixels[2 * plane + i];
    }
    // The raster's bands are R, G, B whatever the bytes' order in the buffer.
    rgb.getRaster().setDataElements(0, 0, w, h, interleaved);
    return rgb;
  }

  private static byte[] write(BufferedImage image, String format, Consumer<ImageWriteParam> settings) throws IOException {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
    if (!writers.hasNext()) {
      throw new IOException("no " + format + " writer in this JVM");
    }
    ImageWriter writer = writers.next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    settings.accept(param);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // In memory: ImageIO.write's default cache makes a temp file per image (slow for an index of
    // millions, and a pod may have no writable temp directory).
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
