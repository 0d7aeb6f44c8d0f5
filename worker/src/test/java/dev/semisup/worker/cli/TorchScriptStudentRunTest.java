package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import ai.djl.modality.Input;
import ai.djl.modality.Output;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.progress.ProgressListener;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.TrainedElsewhere;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.testing.TorchScriptStudentFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny run whose fine-tune a torch-ddp trainer did: its finetune/ folder replaced by the
 * trainer's (model.pt, a card naming it torchscript, history.json, metrics.json, _SUCCESS), then
 * completed by the worker. The final model is then used as any other: {@code semisup predict}
 * scores PyTorch's own accuracy, the servable directory loads in DJL, and report.json and
 * report.html show the step.
 */
class TorchScriptStudentRunTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ACCURACY = Pattern.compile("accuracy \\S+ \\((\\d+) of (\\d+) labeled images\\)");

  @TempDir
  static Path dir;

  static TinyRuns runs;
  static TorchScriptStudentFiles files;
  static Path labeled;

  @BeforeAll
  static void aRunFineTunedByATrainer() throws Exception {
    runs = new TinyRuns(dir);
    TinyRuns.Result result = runs.run(runs.write("tiny.yaml", runs.manifest("tiny", "")));
    assertThat(result.exit()).as(result.err()).isZero();
    files = TorchScriptStudentFiles.read();
    labeled = TorchScriptStudentFiles.writeImages(dir.resolve("labeled"));

    Path finetune = run().resolve("finetune");
    deleteTree(finetune);
    TorchScriptStudentFiles.writeStep(finetune);
    SemiSupervisedRunSpec spec = Manifests.parseSpec(Files.readString(run().resolve("spec.json")), "spec.json");
    StagePlan plan = StagePlan.of(spec);
    StageContext context = StageContext.builder("tiny", spec).plan(plan).step(plan.require("finetune"), 0)
        .artifacts(new ObjectLayout("runs/local/tiny"), new LocalDirectoryStore(runs.store().resolve("semisup")))
        .data(new FileBlobs()).progress(ProgressListener.NONE, Duration.ZERO).build();
    TrainedElsewhere.complete(context);
  }

  static Path run() {
    return runs.prefix("runs/local/tiny");
  }

  @Test
  void predictScoresTheModulesOwnAccuracyThroughTheRunAndThroughTheFolder() {
    Path[] models = {run(), run().resolve("finetune"), run().resolve("finetune/model.pt")};
    for (int m = 0; m < models.length; m++) {
      Path model = models[m];
      TinyRuns.Result result = predict("--model", model.toString(), "--labels",
          labeled.resolve(TorchScriptStudentFiles.LABELS).toString(), "--output",
          dir.resolve("answers-" + m + ".json").toString(), labeled.resolve(TorchScriptStudentFiles.IMAGES).toString());

      assertThat(result.exit()).as(result.err()).isZero();
      Matcher accuracy = ACCURACY.matcher(result.out());
      assertThat(accuracy.find()).as(result.out()).isTrue();
      // PyTorch's count, computed when the module was exported: neither all nor none of the images.
      assertThat(Integer.parseInt(accuracy.group(1))).as(model.toString()).isEqualTo(files.correct());
      assertThat(Integer.parseInt(accuracy.group(2))).isEqualTo(files.images());
      assertThat(files.correct()).isBetween(files.images() / 2, files.images() - 1);
    }
  }

  @Test
  void aTrainersOwnArchitectureNameIsARecordButAWrongShapeIsRefused() throws IOException {
    Path custom = dir.resolve("custom");
    TorchScriptStudentFiles.writeStep(custom);
    String card = Files.readString(custom.resolve("model-card.json"));
    Files.writeString(custom.resolve("model-card.json"), card.replace("\"cnn-small\"", "\"my-own-resnet\""));

    TinyRuns.Result named = predict("--model", custom.toString(), "--labels",
        labeled.resolve(TorchScriptStudentFiles.LABELS).toString(), labeled.resolve(TorchScriptStudentFiles.IMAGES).toString());

    assertThat(named.exit()).as(named.err()).isZero();
    assertThat(named.out()).contains("(" + files.correct() + " of " + files.images() + " labeled images)");

    Files.writeString(custom.resolve("model-card.json"), card.replace("\"imageSize\": 8", "\"imageSize\": 16"));
    TinyRuns.Result wrongShape = predict("--model", custom.toString(), labeled.resolve(TorchScriptStudentFiles.IMAGES).toString());

    assertThat(wrongShape.exit()).isEqualTo(2);
    assertThat(wrongShape.err()).contains(custom.resolve("model.pt") + ": fails on a batch of one 1x16x16 image",
        "model-card.json's channels and imageSize");
  }

  @Test
  void predictsProbabilitiesArePyTorchs() throws IOException {
    TinyRuns.Result result = predict("--model", run().toString(), "--top", "3", "--output",
        dir.resolve("probabilities.json").toString(), labeled.resolve(TorchScriptStudentFiles.IMAGES).toString());

    assertThat(result.exit()).as(result.err()).isZero();
    JsonNode answers = JSON.readTree(dir.resolve("probabilities.json").toFile());
    assertThat(answers).hasSize(files.images());
    for (int image = 0; image < files.images(); image++) {
      for (JsonNode ranked : answers.get(image).get("top")) {
        assertThat(ranked.get("probability").asDouble()).as("image %d %s", image, ranked)
            .isCloseTo(files.probabilities(image)[Integer.parseInt(ranked.get("class").asText())], within(1e-4));
      }
    }
  }

  @Test
  void theServableDirectoryHoldsTheModuleAndLoadsInDjl() throws Exception {
    Path servable = run().resolve("finetune/servable");
    String properties = Files.readString(servable.resolve("serving.properties"));
    assertThat(properties).contains("engine=PyTorch", "option.modelName=model",
        "translatorFactory=dev.semisup.worker.serving.ImageClassifierTranslatorFactory").doesNotContain("blockFactory");
    assertThat(Files.readAllBytes(servable.resolve("model.pt"))).isEqualTo(TorchScriptStudentFiles.bytes("step/model.pt"));
    assertThat(Files.readString(servable.resolve("synset.txt"))).isEqualTo("0\n1\n2\n");
    assertThat(ModelCard.parse(Files.readAllBytes(servable.resolve("model-card.json")), "servable").parameters())
        .isEqualTo(new ModelCard.Parameters("model.pt", ModelCard.TORCHSCRIPT));

    // As DJL Serving loads a model: the directory is the model path, serving.properties says the rest.
    Criteria<Input, Output> criteria = Criteria.builder().setTypes(Input.class, Output.class)
        .optModelPath(servable).build();
    try (ZooModel<Input, Output> model = criteria.loadModel(); Predictor<Input, Output> predictor = model.newPredictor()) {
      for (int image = 0; image < 5; image++) {
        Input request = new Input();
        request.add(TorchScriptStudentFiles.png(image));
        JsonNode served = JSON.readTree(predictor.predict(request).getData().getAsString());
        assertThat(served).hasSize(files.classes());
        for (JsonNode ranked : served) {
          assertThat(ranked.get("probability").asDouble()).as("image %d %s", image, ranked)
              .isCloseTo(files.probabilities(image)[Integer.parseInt(ranked.get("className").asText())], within(1e-4));
        }
      }
    }
  }

  @Test
  void theReportShowsTheTrainersStep() throws IOException {
    JsonNode report = JSON.readTree(run().resolve("report.json").toFile());
    assertThat(report.path("finalAccuracy").asDouble()).as("the trainer's metrics.json").isEqualTo(files.accuracy());
    assertThat(Files.readString(run().resolve("report.html"))).as("the trainer's history.json drawn")
        .contains("training curves of finetune");

    TinyRuns.Result rebuilt = runCli("report", run().toUri().toString(), "-o", dir.resolve("report.html").toString());
    assertThat(rebuilt.exit()).as(rebuilt.err()).isZero();
    assertThat(Files.readString(dir.resolve("report.html"))).contains("training curves of finetune");
  }

  private static TinyRuns.Result predict(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "predict";
    System.arraycopy(args, 0, all, 1, args.length);
    return runCli(all);
  }

  private static TinyRuns.Result runCli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new TinyRuns.Result(exit, out.toString(), err.toString());
  }

  private static void deleteTree(Path folder) throws IOException {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
