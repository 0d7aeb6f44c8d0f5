package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.report.RunReport;
import dev.semisup.worker.testing.TinyDataset;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `semisup run` fed real bad data: what is skipped is counted to the end, what is wrong fails first with exit 2. */
class BadDataRunTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  record Result(int exit, String out, String err) {
  }

  Result run(String manifest) throws IOException {
    Path file = Files.writeString(dir.resolve("run.yaml"), manifest);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(new String[] {"run", file.toString(), "--store", dir.resolve("store").toString()},
        Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  private String uri(Path path) {
    return "file://" + path.toAbsolutePath();
  }

  /** The tiny manifest with one source's line replaced. */
  private String manifest(String name, Path data, String sourceLine, String replacement) {
    String manifest = TinyDataset.manifest(name, uri(data) + "/", "");
    String line = manifest.lines().filter(l -> l.trim().startsWith(sourceLine)).findFirst().orElseThrow();
    return manifest.replace(line, line.substring(0, line.indexOf(sourceLine)) + replacement);
  }

  /** The first {@code count} training images of the tiny set as 8x8 grey PNG files, flat: an unlabeled pool. */
  private Path pngPool(Path data, int count) throws IOException {
    Path pool = Files.createDirectories(dir.resolve("pool"));
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(data.resolve(TinyDataset.TRAIN_IMAGES))))) {
      in.readInt();
      in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      for (int i = 0; i < count; i++) {
        byte[] pixels = new byte[rows * cols];
        in.readFully(pixels);
        BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, cols, rows, pixels);
        ImageIO.write(image, "png", pool.resolve(String.format("img-%04d.png", i)).toFile());
      }
    }
    return pool;
  }

  @Test
  void corruptAndOversizedPoolImagesAreSkippedAndCountedUpToTheFinalTable() throws Exception {
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    Path pool = pngPool(data, 120);
    Files.write(pool.resolve("bomb.png"), oversizedPng(30000, 30000));
    Files.writeString(pool.resolve("broken.png"), "not an image");

    Result result = run(manifest("skips", data, "unlabeled:", "unlabeled: {uri: \"" + uri(pool) + "/\", format: folder}"));

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("pool images skipped \\(corrupt or oversized\\) +2\\n");
    Path run = dir.resolve("store/semisup/runs/local/skips");
    RunReport report = JSON.readValue(run.resolve("report.json").toFile(), RunReport.class);
    assertThat(report.skippedImages()).isEqualTo(2L);
    assertThat(report.rounds().get(0).skippedImages()).isEqualTo(2L);
    assertThat(JSON.readTree(run.resolve("index/summary.json").toFile()).path("skippedImages").asLong()).isEqualTo(2);
    long perShard = 0;
    for (int shard = 0; shard < 2; shard++) {
      JsonNode progress = JSON.readTree(run.resolve(String.format("candidates/progress-%05d.json", shard)).toFile());
      perShard += progress.path("skippedImages").asLong(-100);
    }
    assertThat(perShard).as("the shards' progress files").isEqualTo(2);
  }

  @Test
  void aPoolMostlyUnreadableFailsWithTheCountNamingTheFieldThenPassesUnderAHigherLimit() throws Exception {
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    Path pool = pngPool(data, 20);
    for (int i = 0; i < 10; i++) {
      Files.writeString(pool.resolve("broken-" + i + ".png"), "not an image");
    }
    String manifest = manifest("unreadable", data, "unlabeled:", "unlabeled: {uri: \"" + uri(pool) + "/\", format: folder}");

    Result failed = run(manifest);

    assertThat(failed.exit()).isEqualTo(2);
    assertThat(failed.err()).contains("10 of the pool's 30 images (33.3%) could not be read")
        .contains("spec.data.maxSkippedFraction allows (0.05)");
    Path run = dir.resolve("store/semisup/runs/local/unreadable");
    assertThat(run.resolve("index/_SUCCESS")).doesNotExist();

    Result allowed = run(manifest.replace("classes: 3", "classes: 3\n    maxSkippedFraction: 0.5"));
    assertThat(allowed.exit()).as(allowed.err()).isZero();
    assertThat(allowed.out()).containsPattern("pool images skipped \\(corrupt or oversized\\) +10\\n");
  }

  @Test
  void aZeroByteValidationFileFailsBeforeTheTeacherTrains() throws Exception {
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    Path empty = Files.write(data.resolve("empty-images"), new byte[0]);

    Result result = run(manifest("empty-validation", data, "validation:",
        "validation: {uri: \"" + uri(empty) + "\", labelsUri: \"" + uri(data.resolve(TinyDataset.TEST_LABELS)) + "\", format: idx}"));

    assertThat(result.exit()).isEqualTo(WorkerContract.EXIT_BAD_INPUT);
    assertThat(result.err()).contains("spec.data.validation.uri: " + uri(empty) + ": the file is empty (0 bytes)")
        .doesNotContain("java.", "Exception");
    assertThat(dir.resolve("store/semisup/runs/local/empty-validation/teacher")).doesNotExist();
  }

  @Test
  void aCorruptImageInTheLabeledSetIsBadInputNamingItWithoutJavaNames() throws Exception {
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    Path labeled = dir.resolve("labeled");
    for (int c = 0; c < TinyDataset.CLASSES; c++) {
      Path pool = pngPool(data, 12);
      Files.createDirectories(labeled.resolve("class-" + c));
      try (var files = Files.list(pool)) {
        for (Path png : files.toList()) {
          Files.move(png, labeled.resolve("class-" + c).resolve(png.getFileName()));
        }
      }
    }
    Path broken = Files.writeString(labeled.resolve("class-1/broken.png"), "not an image");
    Path validation = Files.createDirectories(dir.resolve("validation"));
    for (int c = 0; c < TinyDataset.CLASSES; c++) {
      Files.copy(labeled.resolve("class-" + c + "/img-0000.png"),
          Files.createDirectories(validation.resolve("class-" + c)).resolve("img-0000.png"));
    }
    String manifest = manifest("corrupt-labeled", data, "labeled:", "labeled: {uri: \"" + uri(labeled) + "/\", format: folder}");
    manifest = manifest.replace(manifest.lines().filter(l -> l.trim().startsWith("validation:")).findFirst().orElseThrow(),
        "    validation: {uri: \"" + uri(validation) + "/\", format: folder}");
    manifest = manifest.replace(manifest.lines().filter(l -> l.trim().startsWith("unlabeled:")).findFirst().orElseThrow(),
        "    unlabeled: {uri: \"" + uri(data.resolve(TinyDataset.TRAIN_IMAGES)) + "\", format: idx}");

    Result result = run(manifest);

    assertThat(result.exit()).as(result.out() + result.err()).isEqualTo(WorkerContract.EXIT_BAD_INPUT);
    assertThat(result.err()).contains(uri(broken) + ": corrupt image: ").doesNotContain("java.io", "IOException");
    assertThat(dir.resolve("store/semisup/runs/local/corrupt-labeled/teacher/_SUCCESS")).doesNotExist();
  }

  @Test
  void aPodsFirstStepChecksTheDataBeforeTraining() throws Exception {
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    Path empty = Files.write(data.resolve("empty-images"), new byte[0]);
    String manifest = manifest("pod", data, "validation:",
        "validation: {uri: \"" + uri(empty) + "\", labelsUri: \"" + uri(data.resolve(TinyDataset.TEST_LABELS)) + "\", format: idx}");
    Map<String, String> env = Map.of(
        WorkerContract.ENV_SPEC, Manifests.toJson(Manifests.parse(manifest, "pod.yaml").getSpec()),
        WorkerContract.ENV_RUN_NAME, "pod",
        WorkerContract.ENV_STORE_PREFIX, "runs/team-a/pod",
        "SEMISUP_TERMINATION_LOG", dir.resolve("termination-log").toString());
    Files.writeString(dir.resolve("termination-log"), "");
    StringWriter err = new StringWriter();

    int exit = Semisup.execute(new String[] {"stage", "teacher", "--store", dir.resolve("store").toString()}, env,
        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));

    assertThat(exit).isEqualTo(WorkerContract.EXIT_BAD_INPUT);
    assertThat(err.toString()).contains("spec.data.validation.uri: " + uri(empty) + ": the file is empty (0 bytes)");
    assertThat(Files.readString(dir.resolve("termination-log"))).contains("spec.data.validation.uri");
    assertThat(dir.resolve("store/semisup/runs/team-a/pod/teacher")).doesNotExist();
  }

  /** A real PNG whose IHDR declares width x height grey pixels, with a tiny IDAT. */
  private static byte[] oversizedPng(int width, int height) {
    ByteBuffer png = ByteBuffer.allocate(8 + 25 + 12 + 12 + 12);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put(new byte[4]).array());
    chunk(png, "IDAT", new byte[0]);
    chunk(png, "IEND", new byte[0]);
    byte[] bytes = new byte[png.position()];
    png.flip().get(bytes);
    return bytes;
  }

  private static void chunk(ByteBuffer png, String type, byte[] data) {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    png.putInt(data.length).put(name).put(data).putInt((int) crc.getValue());
  }
}
