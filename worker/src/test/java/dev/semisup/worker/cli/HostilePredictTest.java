package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.model.card.ModelCard;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semisup predict} against hostile input: files it must not read whole or at all, outputs
 * it must not clobber, names that must not drive the terminal or break the CSV, and model folders
 * whose card or parameters cannot be trusted. The model is a hand-made folder (an untrained
 * cnn-small with its card), so no run is needed.
 */
class HostilePredictTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SIZE = 8;

  @TempDir
  Path dir;

  Path model;
  Path images;

  record Result(int exit, String out, String err) {
  }

  @BeforeEach
  void modelFolderAndImages() throws IOException {
    model = writeModel(dir.resolve("model"), card -> { });
    images = Files.createDirectories(dir.resolve("images"));
    Files.write(images.resolve("a.png"), png(40));
    Files.write(images.resolve("b.png"), png(200));
  }

  // ---- reads without a bound ------------------------------------------------------------------

  @Test
  void topOfTwoBillionShowsTheModelsThreeClasses() throws IOException {
    Path csv = dir.resolve("answers.csv");

    Result result = predict("--model", model.toString(), "--top", "2147483647", "--output", csv.toString(),
        images.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(Files.readAllLines(csv).get(0))
        .isEqualTo("image,label,class_1,probability_1,class_2,probability_2,class_3,probability_3");
  }

  @Test
  void topBelowOneExitsTwo() {
    Result result = predict("--model", model.toString(), "--top", "0", images.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("--top must be at least 1");
  }

  @Test
  void aSparseThreeGigabyteFileNamedPngIsSkippedAndCounted() throws IOException {
    try (RandomAccessFile sparse = new RandomAccessFile(images.resolve("huge.png").toFile(), "rw")) {
      sparse.setLength(3_000_000_000L);
    }

    Result folder = predict("--model", model.toString(), images.toString());
    Result single = predict("--model", model.toString(), images.resolve("huge.png").toString());

    assertThat(folder.exit()).as(folder.err()).isZero();
    assertThat(folder.out()).contains("predicted 2 images, skipped 1 that could not be decoded");
    assertThat(single.exit()).as(single.err()).isZero();
    assertThat(single.out()).contains("predicted 0 images, skipped 1 that could not be decoded");
  }

  @Test
  void aFifoNamedPngIsSkippedAndCountedInsteadOfWaitedFor() throws Exception {
    Path fifo = images.resolve("stuck.png");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();

    Result result = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> predict("--model", model.toString(), fifo.toString()));

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("predicted 0 images, skipped 1 that could not be decoded");
  }

  @Test
  void aCardWhoseParameterFileLeavesTheModelFolderIsRefused() throws IOException {
    // A valid parameter file two folders up: following the card there would succeed.
    Files.copy(model.resolve("model.params"), dir.resolve("outside.params"));
    Path nested = writeModel(dir.resolve("a/b"), card -> card.putObject("parameters")
        .put("file", "../../outside.params").put("format", ModelCard.SEMISUP_PARAMETERS));

    Result result = predict("--model", nested.toString(), images.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("model-card.json: parameters.file '../../outside.params' is not a file inside");
  }

  // ---- outputs that clobber -------------------------------------------------------------------

  @Test
  void anExistingOutputIsKeptUnlessForced() throws IOException {
    Path csv = Files.writeString(dir.resolve("answers.csv"), "precious\n");

    Result kept = predict("--model", model.toString(), "--output", csv.toString(), images.toString());

    assertThat(kept.exit()).isEqualTo(2);
    assertThat(kept.err()).contains("--output", "already exists", "--force");
    assertThat(Files.readString(csv)).isEqualTo("precious\n");

    Result forced = predict("--model", model.toString(), "--output", csv.toString(), "--force", images.toString());

    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(Files.readAllLines(csv)).hasSize(3);
  }

  @Test
  void theModelsOwnCardIsNeverAnOutputEvenWithForce() throws IOException {
    byte[] card = Files.readAllBytes(model.resolve("model-card.json"));

    Result result = predict("--model", model.toString(), "--output", model.resolve("model-card.json").toString(),
        "--force", images.toString());
    Result again = predict("--model", model.toString(), images.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("--output", "the folder this command reads");
    assertThat(Files.readAllBytes(model.resolve("model-card.json"))).isEqualTo(card);
    assertThat(again.exit()).as(again.err()).isZero();
  }

  @Test
  void aLinkIntoTheModelFolderIsNoWayAround() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("innocent.json"), model.resolve("model-card.json"));

    Result result = predict("--model", model.toString(), "--output", link.toString(), "--force", images.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("the folder this command reads");
  }

  @Test
  void outputDashWritesTheCsvToStandardOutputAndTheSummaryBesideIt() {
    Result result = predict("--model", model.toString(), "--output", "-", images.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out().lines().toList()).hasSize(3).first().asString().startsWith("image,label,class_1");
    assertThat(result.err()).contains("predicted 2 images");
  }

  @Test
  void aBareCarriageReturnInAMemberNameStaysInsideItsCsvField() throws Exception {
    Path shard = tar(dir.resolve("cr.tar"), "evil\rname.png", png(90));
    Path csv = dir.resolve("answers.csv");

    Result result = predict("--model", model.toString(), "--output", csv.toString(), shard.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    CsvMapper csvMapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    try (MappingIterator<List<String>> rows = csvMapper.readerFor(List.class).readValues(csv.toFile())) {
      List<List<String>> all = rows.readAll();
      assertThat(all).hasSize(2);
      assertThat(all.get(1).get(0)).contains("evil\rname.png");
      assertThat(all.get(1)).hasSize(2 + 2 * 3);
    }
  }

  @Test
  void controlCharactersOfMemberNamesReachTheTerminalEscaped() throws Exception {
    Path shard = tar(dir.resolve("esc.tar"), "\u001b[2Jcleared\u0007.png", png(90));

    Result result = predict("--model", model.toString(), shard.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).doesNotContain("\u001b").doesNotContain("\u0007").contains("\\x1b[2Jcleared\\x07.png");
  }

  // ---- model folders trusted too much ---------------------------------------------------------

  @Test
  void aCardWithoutImageSizeExitsTwoNamingTheFileAndField() throws IOException {
    Path bad = writeModel(dir.resolve("no-size"), card -> card.remove("imageSize"));

    Result result = predict("--model", bad.toString(), images.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains(bad.resolve("model-card.json").toUri().getPath(), "imageSize must be between 8 and 1024",
        "missing");
  }

  @Test
  void aCardWithTwoChannelsExitsTwoInTheProjectsWords() throws IOException {
    Path bad = writeModel(dir.resolve("two-channels"), card -> {
      card.put("channels", 2);
      card.putArray("mean").add(0.5).add(0.5);
      card.putArray("std").add(0.25).add(0.25);
    });

    Result result = predict("--model", bad.toString(), images.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("model-card.json", "channels must be 1 or 3, was 2").doesNotContain("data.channels");
  }

  @Test
  void anImpossibleMeanExitsTwoInsteadOfAnsweringNaN() throws IOException {
    Path bad = writeModel(dir.resolve("mean"), card -> card.putArray("mean").add(1e39));

    Result result = predict("--model", bad.toString(), images.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("model-card.json", "mean values must be between 0.0 and 1.0");
    assertThat(result.out()).doesNotContain("NaN");
  }

  @Test
  void aCardNamingMoreClassesThanItsParametersHoldExitsTwo() throws IOException {
    Path bad = writeModel(dir.resolve("classes"), card -> card.putArray("classes").add("a").add("b").add("c").add("d"));

    Result result = predict("--model", bad.toString(), images.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("model.params does not fit its model card", "4 classes");
  }

  @Test
  void anUnknownArchitectureExitsTwoNamingIt() throws IOException {
    Path bad = writeModel(dir.resolve("arch"), card -> card.put("architecture", "vgg-huge"));

    Result result = predict("--model", bad.toString(), images.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("architecture 'vgg-huge' is unknown");
  }

  @Test
  void parametersThatDivergedExitTwo() throws IOException {
    try (Network network = Network.create("cnn-small", new ModelShape(1, SIZE, 3), Regularization.NONE, 1);
        OutputStream out = Files.newOutputStream(model.resolve("model.params"))) {
      network.parameters().get(0).getArray().muli(Float.NaN);
      network.saveParameters(out);
    }

    Result result = predict("--model", model.toString(), images.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("model.params: parameter", "NaN or infinite");
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** An untrained cnn-small for 1x8x8 images and 3 classes, with its card edited by {@code edit}. */
  static Path writeModel(Path folder, Consumer<ObjectNode> edit) throws IOException {
    Files.createDirectories(folder);
    try (Network network = Network.create("cnn-small", new ModelShape(1, SIZE, 3), Regularization.NONE, 1);
        OutputStream out = Files.newOutputStream(folder.resolve("model.params"))) {
      network.saveParameters(out);
    }
    ModelCard card = new ModelCard(ModelCard.FORMAT, "cnn-small", null, List.of("0", "1", "2"), SIZE, 1, ModelCard.FIT,
        new double[] {0.5}, new double[] {0.25}, null, null, "teacher",
        new ModelCard.Parameters("model.params", ModelCard.SEMISUP_PARAMETERS));
    ObjectNode json = (ObjectNode) JSON.readTree(card.toJson());
    edit.accept(json);
    Files.write(folder.resolve("model-card.json"), JSON.writeValueAsBytes(json));
    return folder;
  }

  static byte[] png(int grey) throws IOException {
    BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        image.getRaster().setSample(x, y, 0, (grey + 7 * x + 3 * y) % 256);
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(image, "png", bytes);
    return bytes.toByteArray();
  }

  static Path tar(Path file, String member, byte[] bytes) throws IOException {
    try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      TarArchiveEntry entry = new TarArchiveEntry(member);
      entry.setSize(bytes.length);
      tar.putArchiveEntry(entry);
      tar.write(bytes);
      tar.closeArchiveEntry();
    }
    return file;
  }

  static Result predict(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "predict";
    System.arraycopy(args, 0, all, 1, args.length);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(all, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }
}
