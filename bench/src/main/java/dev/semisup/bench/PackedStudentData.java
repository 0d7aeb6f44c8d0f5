package dev.semisup.bench;

import dev.semisup.worker.testing.PackedTars;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes what the student step reads after select and pack, for a memory benchmark: a packed
 * dataset of N synthetic 32x32 RGB images (class c a coloured square over noise, 10 classes) in
 * tar shards of the pack contract ({@code %010d.png}, {@code .cls}, {@code .json}), the index
 * summary, the two steps' {@code _SUCCESS} markers, and small labeled and validation tar sets.
 *
 * <p>Usage: {@code PackedStudentData STORE_DIR PREFIX DATA_DIR IMAGES SHARDS}
 */
public final class PackedStudentData {

  private static final int SIZE = 32;
  private static final int CLASSES = 10;

  private PackedStudentData() {
  }

  public static void main(String[] args) throws IOException {
    Path run = Path.of(args[0]).resolve(args[1]);
    Path data = Path.of(args[2]);
    long images = Long.parseLong(args[3]);
    int shards = Integer.parseInt(args[4]);
    Random random = new Random(20190516);
    long position = 0;
    long bytes = 0;
    for (int shard = 0; shard < shards; shard++) {
      long count = images / shards + (shard < images % shards ? 1 : 0);
      Path file = run.resolve(String.format("packed/shard-%05d-of-%05d.tar", shard, shards));
      Files.createDirectories(file.getParent());
      try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        for (long i = 0; i < count; i++, position++) {
          int label = random.nextInt(CLASSES);
          String base = String.format("%010d", position);
          PackedTars.member(tar, base + ".png", png(label, random));
          PackedTars.member(tar, base + ".cls", Integer.toString(label).getBytes(StandardCharsets.US_ASCII));
          PackedTars.member(tar, base + ".json", String.format(Locale.ROOT,
              "{\"ref\": \"pool/%d.png\", \"score\": 0.9, \"classes\": [%d, %d], \"probabilities\": [0.9, 0.1]}",
              position, label, (label + 1) % CLASSES).getBytes(StandardCharsets.UTF_8));
        }
      }
      bytes += Files.size(file);
    }
    Files.writeString(run.resolve("packed/_SUCCESS"), "");
    Files.createDirectories(run.resolve("index"));
    Files.writeString(run.resolve("index/summary.json"), "{\"classes\": " + CLASSES + ", \"entries\": " + images + "}");
    Files.writeString(run.resolve("index/_SUCCESS"), "");
    labeledSet(data.resolve("labeled.tar"), 200, random);
    labeledSet(data.resolve("validation.tar"), 500, random);
    System.out.printf("packed %d images in %d shards, %d MiB of tar; decoded they are %d MiB%n", images, shards,
        bytes >> 20, images * 3 * SIZE * SIZE >> 20);
  }

  private static void labeledSet(Path file, int count, Random random) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (int i = 0; i < count; i++) {
        int label = random.nextInt(CLASSES);
        PackedTars.member(tar, String.format("%06d.png", i), png(label, random));
        PackedTars.member(tar, String.format("%06d.cls", i), Integer.toString(label).getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  /** Class c: a square of colour c at a place set by c, over 4-level noise (PNG keeps it small). */
  private static byte[] png(int label, Random random) throws IOException {
    BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    int colour = java.awt.Color.HSBtoRGB(label / (float) CLASSES, 0.9f, 0.9f) & 0xffffff;
    int x0 = (label % 5) * 5;
    int y0 = (label / 5) * 14;
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        boolean inside = x >= x0 && x < x0 + 12 && y >= y0 && y < y0 + 12;
        int noise = random.nextInt(4) * 20;
        image.setRGB(x, y, inside ? colour : noise << 16 | noise << 8 | noise);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

}
