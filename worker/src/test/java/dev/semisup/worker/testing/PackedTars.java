package dev.semisup.worker.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes tar shards in the pack step's contract, as the pack step will: per sample
 * {@code %010d.png} (or .jpg), {@code %010d.cls} (ASCII decimal, no newline) and
 * {@code %010d.json} ({"ref", "score", "classes", "probabilities"}), in that member order.
 */
public final class PackedTars {

  /** One packed sample; {@code position} is its place in the run's shuffled packed order. */
  public record Sample(long position, byte[] image, String extension, int label, String ref, float score,
      int[] classes, float[] probabilities) {

    /** A sample whose top-P distribution puts {@code confidence} on its label and the rest on the next class. */
    public static Sample of(long position, byte[] png, int label, int classCount, float confidence) {
      int other = (label + 1) % classCount;
      return new Sample(position, png, "png", label, "pool.tar#" + position, confidence,
          new int[] {label, other}, new float[] {confidence, 1 - confidence});
    }
  }

  private PackedTars() {
  }

  public static Path write(Path file, List<Sample> samples) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (Sample sample : samples) {
        String base = String.format("%010d", sample.position());
        member(tar, base + "." + sample.extension(), sample.image());
        member(tar, base + ".cls", Integer.toString(sample.label()).getBytes(StandardCharsets.US_ASCII));
        member(tar, base + ".json", json(sample).getBytes(StandardCharsets.UTF_8));
      }
    }
    return file;
  }

  public static String shardName(int shard, int shards) {
    return String.format("shard-%05d-of-%05d.tar", shard, shards);
  }

  static String json(Sample sample) {
    String classes = Arrays.stream(sample.classes()).mapToObj(Integer::toString).collect(Collectors.joining(","));
    StringBuilder probabilities = new StringBuilder();
    for (int i = 0; i < sample.probabilities().length; i++) {
      probabilities.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%s", sample.probabilities()[i]));
    }
    return String.format(Locale.ROOT, "{\"ref\": \"%s\", \"score\": %s, \"classes\": [%s], \"probabilities\": [%s]}",
        sample.ref(), sample.score(), classes, probabilities);
  }

  /** One member of a tar: its name and bytes. */
  public static void member(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(bytes.length);
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  /** Lossless 8-bit grey PNG of channel-major pixels, as the pack step encodes idx pool images. */
  public static byte[] greyPng(byte[] pixels, int height, int width) throws IOException {
    BufferedImage grey = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setDataElements(0, 0, width, height, pixels);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(grey, "png", out);
    return out.toByteArray();
  }
}
