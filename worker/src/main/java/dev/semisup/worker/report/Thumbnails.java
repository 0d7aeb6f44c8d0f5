package dev.semisup.worker.report;

import dev.semisup.worker.data.packed.PackedSamples;
import dev.semisup.worker.store.ObjectStore;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The contact sheets' images: the wanted index entries found in one streamed pass over the packed
 * shards (stopping once all are found), each downscaled to at most {@link #MAX_SIDE} pixels and
 * kept as a data URI (PNG for grey images, JPEG for colour), so the page needs no network.
 */
public final class Thumbnails {

  /** Longest side of a thumbnail: enough to recognise an object, small enough for 1,000 classes. */
  public static final int MAX_SIDE = 64;
  private static final float JPEG_QUALITY = 0.8f;

  private Thumbnails() {
  }

  /** How a packed sample is matched to an index entry: an image appears at most once per class. */
  public static String entryKey(int pseudoLabel, String ref) {
    return pseudoLabel + "\t" + ref;
  }

  /** Data URIs by {@link #entryKey}; entries the pack step skipped (no longer decodable) are absent. */
  public static Map<String, String> of(ObjectStore store, String packFolder, Set<String> wanted) throws IOException {
    Map<String, String> found = new HashMap<>();
    if (wanted.isEmpty()) {
      return found;
    }
    PackedSamples.read(store, packFolder, sample -> {
      String key = entryKey(sample.pseudoLabel(), sample.ref());
      if (wanted.contains(key) && !found.containsKey(key)) {
        String uri = dataUri(sample.image());
        if (uri != null) {
          found.put(key, uri);
        }
      }
      return found.size() < wanted.size();
    });
    return found;
  }

  /** The image downscaled, as a data URI; null when it does not decode. */
  static String dataUri(byte[] encoded) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(encoded));
    if (image == null) {
      return null;
    }
    boolean grey = image.getColorModel().getNumColorComponents() == 1;
    BufferedImage small = downscaled(image, grey);
    return grey
        ? "data:image/png;base64," + Base64.getEncoder().encodeToString(encode(small, "png", null))
        : "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(encode(small, "jpeg", JPEG_QUALITY));
  }

  private static BufferedImage downscaled(BufferedImage image, boolean grey) {
    int w = image.getWidth();
    int h = image.getHeight();
    double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(w, h));
    int tw = Math.max(1, (int) Math.round(w * scale));
    int th = Math.max(1, (int) Math.round(h * scale));
    BufferedImage out = new BufferedImage(tw, th, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(image, 0, 0, tw, th, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  private static byte[] encode(BufferedImage image, String format, Float quality) throws IOException {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
    if (!writers.hasNext()) {
      throw new IOException("no " + format + " writer in this JVM");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // In memory: ImageIO's default cache writes a temporary file per image.
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (quality != null) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
      }
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
