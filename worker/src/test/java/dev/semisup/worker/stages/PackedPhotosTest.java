package dev.semisup.worker.stages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.worker.data.decode.ImageDecoder;
import dev.semisup.worker.data.decode.ImageEncoding;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageRef;
import dev.semisup.worker.run.StageRunner;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pack over a tar pool of 500 x 375 JPEG photos: it writes them shrunk to the spec's short side, in
 * far fewer bytes, and the student trains on those; {@code packShortSide: 0} writes the pool's
 * bytes exactly.
 */
class PackedPhotosTest {

  private static final int FILES = 3;
  private static final int PER_FILE = 12;

  @TempDir
  Path dir;

  @Test
  void packShrinksPhotosToTheShortSideInAThirdOfTheBytesAndTheStudentTrainsOnThem() throws Exception {
    TarPoolRun run = TarPoolRun.create(dir.resolve("pool"), FILES, PER_FILE, 1, ", packShards: 2, packShortSide: 96",
        false, PackedPhotosTest::photo);
    Path store = dir.resolve("store");
    runSteps(run, store, "infer", "select");
    runAll(run, store, "pack", 2);

    Map<String, byte[]> members = members(store, 2);
    long packedBytes = 0;
    long poolBytes = 0;
    int images = 0;
    for (Map.Entry<String, byte[]> member : members.entrySet()) {
      if (member.getKey().endsWith(".json")) {
        String ref = new ObjectMapper().readTree(member.getValue()).get("ref").asText();
        poolBytes += ImageRef.parse(ref).length();
      } else if (!member.getKey().endsWith(".cls")) {
        assertThat(member.getKey()).endsWith(".jpg");
        ImageRecord image = ImageDecoder.decode(member.getValue(), 0, member.getKey(), 0);
        assertThat(new int[] {image.channels(), image.height(), image.width()}).containsExactly(3, 96, 128);
        packedBytes += member.getValue().length;
        images++;
      }
    }
    assertThat(images).isEqualTo(indexEntries(store)).isPositive();
    assertThat(packedBytes).as("packed against pool bytes of the same entries").isLessThan(poolBytes / 3);

    StageRunner.run(run.context(store, "student", 0, TarPoolRun.files()));
    StageMetrics metrics = new ObjectMapper().readValue(store.resolve("runs/tarpool/student/metrics.json").toFile(),
        StageMetrics.class);
    assertThat(metrics.trainImages()).isEqualTo(images);
    assertThat(store.resolve("runs/tarpool/student/_SUCCESS")).exists();
  }

  @Test
  void packShortSideZeroPacksThePoolsBytesExactly() throws Exception {
    TarPoolRun run = TarPoolRun.create(dir.resolve("pool"), FILES, PER_FILE, 1, ", packShortSide: 0", false,
        PackedPhotosTest::photo);
    Path store = dir.resolve("store");
    runSteps(run, store, "infer", "select", "pack");

    Map<String, byte[]> members = members(store, 1);
    int images = 0;
    for (Map.Entry<String, byte[]> member : members.entrySet()) {
      if (member.getKey().endsWith(".json")) {
        ImageRef image = ImageRef.parse(new ObjectMapper().readTree(member.getValue()).get("ref").asText());
        try (InputStream in = TarPoolRun.files().openRange(image.file(), image.offset(), image.length())) {
          assertThat(members.get(member.getKey().replace(".json", ".jpg"))).as(image.toString())
              .isEqualTo(in.readAllBytes());
        }
        images++;
      }
    }
    assertThat(images).isEqualTo(indexEntries(store)).isPositive();
  }

  private static int indexEntries(Path store) throws IOException {
    return new ObjectMapper().readTree(store.resolve("runs/tarpool/index/summary.json").toFile()).get("entries").asInt();
  }

  private static void runSteps(TarPoolRun run, Path store, String... steps) throws IOException {
    for (String step : steps) {
      StageRunner.run(run.context(store, step, 0, TarPoolRun.files()));
    }
  }

  private static void runAll(TarPoolRun run, Path store, String step, int shards) throws IOException {
    for (int shard = 0; shard < shards; shard++) {
      StageRunner.run(run.context(store, step, shard, TarPoolRun.files()));
    }
  }

  private static Map<String, byte[]> members(Path store, int shards) throws IOException {
    Map<String, byte[]> members = new LinkedHashMap<>();
    for (int shard = 0; shard < shards; shard++) {
      Path tar = store.resolve(String.format("runs/tarpool/packed/shard-%05d-of-%05d.tar", shard, shards));
      try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
        for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
          members.put(entry.getName(), in.readAllBytes());
        }
      }
    }
    return members;
  }

  /** A 500 x 375 photo-like JPEG (gradients, a soft blob, sensor noise) at quality 90, brighter for higher labels. */
  static TarPoolRun.PoolImage photo(int label, Random random) throws IOException {
    int width = 500;
    int height = 375;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    double cx = random.nextDouble() * width;
    double cy = random.nextDouble() * height;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double blob = Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * 120.0 * 120.0));
        int r = clamp(40 * label + 60 + 100.0 * y / height + 60 * blob + random.nextGaussian() * 5);
        int g = clamp(100 + 80.0 * x / width - 50 * blob + random.nextGaussian() * 5);
        int b = clamp(180 - 100.0 * y / height + 20 * Math.sin(x / 6.0) + random.nextGaussian() * 5);
        image.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return new TarPoolRun.PoolImage(ImageEncoding.jpeg(image, 90), "jpg");
  }

  private static int clamp(double value) {
    return (int) Math.max(0, Math.min(255, Math.round(value)));
  }
}
