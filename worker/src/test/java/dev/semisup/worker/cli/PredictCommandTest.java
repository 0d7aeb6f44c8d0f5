package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.modality.Input;
import ai.djl.modality.Output;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.report.StageMetrics;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.store.S3ObjectStore;
import dev.semisup.worker.store.S3TestServer;
import dev.semisup.worker.testing.TinyDataset;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny run, then its models used as a user would: the cards beside them, {@code semisup predict}
 * at exactly the accuracy the run reported, and the servable directory loaded through DJL's
 * Criteria (as DJL Serving loads it) giving predict's probabilities.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PredictCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ACCURACY = Pattern.compile("accuracy \\S+ \\((\\d+) of (\\d+) labeled images\\)");

  @TempDir
  static Path dir;

  static TinyRuns runs;

  record Result(int exit, String out, String err) {
  }

  @BeforeAll
  static void tinyRun() throws IOException {
    runs = new TinyRuns(dir);
    TinyRuns.Result result = runs.run(runs.write("tiny.yaml", runs.manifest("tiny", "")));
    assertThat(result.exit()).as(result.err()).isZero();
  }

  static Path run() {
    return runs.prefix("runs/local/tiny");
  }

  static Path data(String file) {
    return dir.resolve("data").resolve(file);
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

  @Test
  @Order(1)
  void everyTrainedModelHasACardThatDescribesIt() throws IOException {
    for (String step : List.of("teacher", "student", "finetune")) {
      ModelCard card = ModelCard.parse(Files.readAllBytes(run().resolve(step + "/model-card.json")), step);
      StageMetrics metrics = JSON.readValue(run().resolve(step + "/metrics.json").toFile(), StageMetrics.class);
      assertThat(card.step()).isEqualTo(step);
      assertThat(card.architecture()).isEqualTo("cnn-small");
      assertThat(card.classes()).containsExactly("0", "1", "2");
      assertThat(card.imageSize()).isEqualTo(TinyDataset.SIZE);
      assertThat(card.channels()).isEqualTo(1);
      assertThat(card.fit()).isEqualTo(ModelCard.FIT);
      assertThat(card.mean()).containsExactly(0.5);
      assertThat(card.std()).containsExactly(0.25);
      assertThat(card.validation().accuracy()).isEqualTo(metrics.accuracy());
      assertThat(card.validation().images()).isEqualTo(90L);
      assertThat(card.run().namespace()).isEqualTo("local");
      assertThat(card.run().name()).isEqualTo("tiny");
      assertThat(card.parameters()).isEqualTo(new ModelCard.Parameters("model.params", ModelCard.SEMISUP_PARAMETERS));
    }
    assertThat(run().resolve("finetune/servable")).isDirectoryContaining("glob:**/serving.properties")
        .isDirectoryContaining("glob:**/model-0000.params").isDirectoryContaining("glob:**/synset.txt");
    assertThat(run().resolve("teacher/servable")).doesNotExist();
  }

  @Test
  @Order(2)
  void predictOnTheValidationImagesScoresExactlyTheRunsReportedAccuracy() throws IOException {
    Result result = predict("--model", run().toString(), "--labels", data(TinyDataset.TEST_LABELS).toString(),
        "--output", dir.resolve("answers.csv").toString(), data(TinyDataset.TEST_IMAGES).toString());

    assertThat(result.exit()).as(result.err()).isZero();
    StageMetrics finetune = JSON.readValue(run().resolve("finetune/metrics.json").toFile(), StageMetrics.class);
    Matcher accuracy = ACCURACY.matcher(result.out());
    assertThat(accuracy.find()).as(result.out()).isTrue();
    assertThat(Long.parseLong(accuracy.group(2))).isEqualTo(90);
    assertThat((double) Long.parseLong(accuracy.group(1)) / 90).isEqualTo(finetune.accuracy());
    assertThat(result.out()).contains("predicted 90 images, skipped 0");
    List<String> rows = Files.readAllLines(dir.resolve("answers.csv"));
    assertThat(rows).hasSize(91);
    assertThat(rows.get(0)).isEqualTo("image,label,class_1,probability_1,class_2,probability_2,class_3,probability_3");
  }

  @Test
  @Order(3)
  void anotherStepsModelIsFoundByItsStepAndByItsFolder() throws IOException {
    // The student (pre-trained on pseudo-labels only) is the tiny run's least accurate model: the
    // equality below then tells models apart, where the others all score 1.0.
    StageMetrics student = JSON.readValue(run().resolve("student/metrics.json").toFile(), StageMetrics.class);
    assertThat(student.accuracy()).isLessThan(1.0);
    for (String[] model : List.of(new String[] {"--model", run().toString(), "--step", "student"},
        new String[] {"--model", run().resolve("student").toString()},
        new String[] {"--model", run().resolve("student/model-card.json").toUri().toString()})) {
      List<String> args = new ArrayList<>(List.of(model));
      // Each model answers into the same file: --force replaces the one before.
      args.addAll(List.of("--labels", data(TinyDataset.TEST_LABELS).toString(), "--output",
          dir.resolve("student.json").toString(), "--force", data(TinyDataset.TEST_IMAGES).toString()));
      Result result = predict(args.toArray(String[]::new));

      assertThat(result.exit()).as(result.err()).isZero();
      Matcher accuracy = ACCURACY.matcher(result.out());
      assertThat(accuracy.find()).as(result.out()).isTrue();
      assertThat((double) Long.parseLong(accuracy.group(1)) / 90).isEqualTo(student.accuracy());
      JsonNode answers = JSON.readTree(dir.resolve("student.json").toFile());
      assertThat(answers).hasSize(90);
      assertThat(answers.get(0).get("top")).hasSize(3);
    }
  }

  @Test
  @Order(4)
  void aModelWithoutItsCardIsUsedThroughItsRunsRecords() throws IOException {
    Path copy = dir.resolve("older-run");
    copyTree(run(), copy);
    Files.delete(copy.resolve("finetune/model-card.json"));

    Result result = predict("--model", copy.resolve("finetune").toString(), "--labels",
        data(TinyDataset.TEST_LABELS).toString(), "--output", dir.resolve("older.csv").toString(),
        data(TinyDataset.TEST_IMAGES).toString());

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.err()).contains("card rebuilt from the run's spec.json");
    StageMetrics finetune = JSON.readValue(run().resolve("finetune/metrics.json").toFile(), StageMetrics.class);
    Matcher accuracy = ACCURACY.matcher(result.out());
    assertThat(accuracy.find()).isTrue();
    assertThat((double) Long.parseLong(accuracy.group(1)) / 90).isEqualTo(finetune.accuracy());
  }

  @Test
  @Order(5)
  void theServableDirectoryLoadsThroughCriteriaAndGivesPredictsProbabilities() throws Exception {
    Path images = writePngs(dir.resolve("pngs"), 12);
    Result result = predict("--model", run().toString(), "--top", "3", "--output",
        dir.resolve("pngs.json").toString(), images.toString());
    assertThat(result.exit()).as(result.err()).isZero();
    Map<String, Map<String, Double>> predicted = new HashMap<>();
    for (JsonNode answer : JSON.readTree(dir.resolve("pngs.json").toFile())) {
      Map<String, Double> byClass = new HashMap<>();
      answer.get("top").forEach(ranked -> byClass.put(ranked.get("class").asText(), ranked.get("probability").asDouble()));
      predicted.put(Path.of(java.net.URI.create(answer.get("image").asText())).getFileName().toString(), byClass);
    }
    assertThat(predicted).hasSize(12);
    // Probabilities well inside (0, 1) somewhere, so a tolerance of 1e-5 tells answers apart.
    assertThat(predicted.values().stream().flatMap(p -> p.values().stream()))
        .anyMatch(probability -> probability > 0.01 && probability < 0.99);

    // As DJL Serving loads a model: the directory is the model path, serving.properties says the rest.
    Criteria<Input, Output> criteria = Criteria.builder().setTypes(Input.class, Output.class)
        .optModelPath(run().resolve("finetune/servable")).build();
    try (ZooModel<Input, Output> model = criteria.loadModel(); Predictor<Input, Output> predictor = model.newPredictor()) {
      for (Map.Entry<String, Map<String, Double>> image : predicted.entrySet()) {
        Input request = new Input();
        request.add(Files.readAllBytes(images.resolve(image.getKey())));
        Output response = predictor.predict(request);
        JsonNode served = JSON.readTree(response.getData().getAsString());
        assertThat(served).hasSize(3);
        for (JsonNode ranked : served) {
          assertThat(ranked.get("probability").asDouble()).as(image.getKey() + " " + ranked)
              .isCloseTo(image.getValue().get(ranked.get("className").asText()), within(1e-5));
        }
      }
    }
  }

  @Test
  @Order(6)
  void undecodableImagesAreSkippedAndCounted() throws IOException {
    Path images = writePngs(dir.resolve("with-bad"), 3);
    Files.write(images.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});

    Result result = predict("--model", run().toString(), images.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("predicted 3 images, skipped 1 that could not be decoded");
    assertThat(result.out().lines().filter(line -> line.contains(".png  ")).count()).isEqualTo(3);
  }

  @Test
  @Order(7)
  void userErrorsExitTwoNamingTheFlagOrFile() {
    Result noModel = predict("--model", dir.resolve("nowhere").toString(), data(TinyDataset.TEST_IMAGES).toString());
    assertThat(noModel.exit()).isEqualTo(2);
    assertThat(noModel.err()).contains("--model").contains("nowhere");

    Result noInput = predict("--model", run().toString(), dir.resolve("missing.png").toString());
    assertThat(noInput.exit()).isEqualTo(2);
    assertThat(noInput.err()).contains("missing.png");

    Result badOutput = predict("--model", run().toString(), "--output", dir.resolve("answers.txt").toString(),
        data(TinyDataset.TEST_IMAGES).toString());
    assertThat(badOutput.exit()).isEqualTo(2);
    assertThat(badOutput.err()).contains("--output");

    Result badStep = predict("--model", run().toString(), "--step", "infer", data(TinyDataset.TEST_IMAGES).toString());
    assertThat(badStep.exit()).isEqualTo(2);
    assertThat(badStep.err()).contains("--step infer");

    Result stepOfAModelFolder = predict("--model", run().resolve("teacher").toString(), "--step", "student",
        data(TinyDataset.TEST_IMAGES).toString());
    assertThat(stepOfAModelFolder.exit()).isEqualTo(2);
    assertThat(stepOfAModelFolder.err()).contains("--step student: only with a run's folder");
  }

  @Test
  @Order(8)
  void aModelAndImagesInS3AreReadThroughTheEndpoint() throws Exception {
    try (S3TestServer s3 = S3TestServer.start()) {
      S3ObjectStore store = new S3ObjectStore(s3.endpointClient(), s3.bucket());
      for (String file : List.of("model.params", "model-card.json")) {
        store.put("models/final/" + file, Files.readAllBytes(run().resolve("finetune").resolve(file)));
      }
      store.put("data/" + TinyDataset.TEST_IMAGES, Files.readAllBytes(data(TinyDataset.TEST_IMAGES)));
      store.put("data/" + TinyDataset.TEST_LABELS, Files.readAllBytes(data(TinyDataset.TEST_LABELS)));
      String bucket = "s3://" + s3.bucket() + "/";
      String[] args = {"predict", "--model", bucket + "models/final/", "--endpoint", s3.endpoint(),
          "--labels", bucket + "data/" + TinyDataset.TEST_LABELS, "--output", dir.resolve("s3.csv").toString(),
          bucket + "data/" + TinyDataset.TEST_IMAGES};
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit = Semisup.execute(args, Map.of(WorkerContract.ENV_ACCESS_KEY, s3.accessKey(),
          WorkerContract.ENV_SECRET_KEY, s3.secretKey()), new PrintWriter(out, true), new PrintWriter(err, true));

      assertThat(exit).as(err.toString()).isZero();
      StageMetrics finetune = JSON.readValue(run().resolve("finetune/metrics.json").toFile(), StageMetrics.class);
      Matcher accuracy = ACCURACY.matcher(out.toString());
      assertThat(accuracy.find()).as(out.toString()).isTrue();
      assertThat((double) Long.parseLong(accuracy.group(1)) / 90).isEqualTo(finetune.accuracy());

      Result noEndpoint = predict("--model", bucket + "models/final/", data(TinyDataset.TEST_IMAGES).toString());
      assertThat(noEndpoint.exit()).isEqualTo(2);
      assertThat(noEndpoint.err()).contains("--endpoint");
    }
  }

  @Test
  @Order(9)
  void aStudentBuiltWithDropoutIsRebuiltWithItToReadItsParameters() throws Exception {
    // Dropout adds a layer to the network, so the parameters only fit a network built with it.
    TinyRuns noisy = new TinyRuns(dir.resolve("noisy"));
    String manifest = noisy.manifest("noisy", "").replace("  student:\n    architecture: cnn-small\n",
        "  student:\n    architecture: cnn-small\n    noise: {dropout: 0.3}\n");
    assertThat(manifest).contains("dropout: 0.3");
    TinyRuns.Result run = noisy.run(noisy.write("noisy.yaml", manifest));
    assertThat(run.exit()).as(run.err()).isZero();
    Path prefix = noisy.prefix("runs/local/noisy");
    assertThat(ModelCard.parse(Files.readAllBytes(prefix.resolve("finetune/model-card.json")), "card").builtWith().dropout())
        .isEqualTo(0.3f);

    Result result = predict("--model", prefix.toString(), "--labels", data(TinyDataset.TEST_LABELS).toString(),
        "--output", dir.resolve("noisy.csv").toString(), data(TinyDataset.TEST_IMAGES).toString());

    assertThat(result.exit()).as(result.err()).isZero();
    StageMetrics finetune = JSON.readValue(prefix.resolve("finetune/metrics.json").toFile(), StageMetrics.class);
    Matcher accuracy = ACCURACY.matcher(result.out());
    assertThat(accuracy.find()).as(result.out()).isTrue();
    assertThat((double) Long.parseLong(accuracy.group(1)) / 90).isEqualTo(finetune.accuracy());
    Criteria<Input, Output> criteria = Criteria.builder().setTypes(Input.class, Output.class)
        .optModelPath(prefix.resolve("finetune/servable")).build();
    try (ZooModel<Input, Output> model = criteria.loadModel(); Predictor<Input, Output> predictor = model.newPredictor()) {
      Input request = new Input();
      request.add(Files.readAllBytes(writePngs(dir.resolve("noisy-pngs"), 1).resolve("image-00.png")));
      assertThat(JSON.readTree(predictor.predict(request).getData().getAsString())).hasSize(3);
    }
  }

  /** The first {@code count} validation images as grey PNG files. */
  private static Path writePngs(Path folder, int count) throws IOException {
    Files.createDirectories(folder);
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(data(TinyDataset.TEST_IMAGES))))) {
      in.readInt();
      in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      for (int i = 0; i < count; i++) {
        BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        byte[] pixels = in.readNBytes(rows * cols);
        image.getRaster().setDataElements(0, 0, cols, rows, pixels);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        Files.write(folder.resolve(String.format("image-%02d.png", i)), png.toByteArray());
      }
    }
    return folder;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }
}
