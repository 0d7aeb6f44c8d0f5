package dev.semisup.worker.report;

import dev.semisup.worker.data.decode.ImageEncoding;
import dev.semisup.worker.data.packed.PackedSamples;
import dev.semisup.worker.store.ObjectStore;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * The contact sheets' images: the wanted index entries found in one streamed pass over the packed
 * shards (stopping once all are found), each downscaled to at most {@link #MAX_SIDE} pixels and
 * kept as a data URI (PNG for grey images, JPEG for colour), so the page needs no network.
 */
public final class Thumbnails {

  /** Longest side of a thumbnail: enough to recognise an object, small enough for 1,000 classes. */
  public static final int MAX_SIDE = 64;
  private static final int JPEG_QUALITY = 80;

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
        ? "data:image/png;base64," + Base64.getEncoder().encodeToString(ImageEncoding.png(small))
        : "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(ImageEncoding.jpeg(small, JPEG_QUALITY));
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
}
