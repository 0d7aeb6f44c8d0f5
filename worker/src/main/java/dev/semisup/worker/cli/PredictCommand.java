package dev.semisup.worker.cli;

import dev.semisup.api.WorkerContract;
import dev.semisup.api.report.StageProgress;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.input.InvalidSettingException;
import dev.semisup.worker.input.Printable;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.predict.Classifier;
import dev.semisup.worker.predict.PredictInputException;
import dev.semisup.worker.predict.PredictInputs;
import dev.semisup.worker.predict.PredictionWriter;
import dev.semisup.worker.predict.Predictions;
import dev.semisup.worker.predict.TrainedModel;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.store.S3Blobs;
import dev.semisup.worker.store.S3Endpoint;
import dev.semisup.worker.store.UriBlobs;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code semisup predict --model URI INPUT...}: classifies images with a trained model, preprocessed
 * exactly as in training (read from the model card), and prints each image's top classes, or writes
 * them to a CSV/JSON file. With labels (an IDX labels file, or tar shards' .cls) it prints the
 * accuracy. Exit 0 with undecodable images skipped and counted; 2 for a bad flag, model or input.
 */
@Command(name = "predict", description = "Classify images with a trained model (a model folder, or a run's final model).")
final class PredictCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "URI",
      description = "A model folder (holding model-card.json), its card or parameter file, or a run's folder (holding"
          + " spec.json; see --step). file:///path, s3://bucket/key or a plain path.")
  String model;

  @Option(names = "--step", paramLabel = "STEP",
      description = "With a run's folder: the step whose model to use, 'final' (the default: the fine-tuned student),"
          + " teacher, student, finetune, or a later round's (finetune-r2).")
  String step;

  @Option(names = "--labels", paramLabel = "URI",
      description = "IDX labels file (*-idx1-ubyte[.gz]) for an IDX images input: prints the accuracy.")
  String labels;

  @Option(names = "--top", paramLabel = "K", defaultValue = "3", description = "Classes to show per image (default ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--output", paramLabel = "FILE",
      description = "Write the answers to FILE.csv or FILE.json instead of the terminal ('-': CSV to standard output)."
          + " An existing FILE is kept unless --force.")
  Path output;

  @Option(names = "--force", description = "Let --output replace an existing file (never one inside the model's or run's"
      + " folder).")
  boolean force;

  @Option(names = "--endpoint", paramLabel = "URL",
      description = "S3 endpoint for s3:// URIs (credentials from $" + WorkerContract.ENV_ACCESS_KEY + " and $"
          + WorkerContract.ENV_SECRET_KEY + ").")
  String endpoint;

  @Option(names = "--region", defaultValue = "us-east-1", description = "S3 region (default ${DEFAULT-VALUE}).")
  String region;

  @Parameters(arity = "1..*", paramLabel = "INPUT",
      description = "Image files (.jpg/.png), folders of images, tar shards (.tar) or an IDX images file (*-idx3-ubyte.gz).")
  List<String> inputs;

  @Mixin
  CommandEnvironment environment;

  PredictCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws CommandFailure {
    environment.configureThreads();
    if (top < 1) {
      throw new InvalidSettingException("--top must be at least 1 (more than the model's classes shows them"
          + " all), was " + top);
    }
    S3Endpoint s3 = null;
    try {
      s3 = connect();
      Blobs blobs = s3 == null
          ? UriBlobs.filesOnly(new FileBlobs(), "s3:// URIs need --endpoint URL (and credentials in $"
              + WorkerContract.ENV_ACCESS_KEY + " / $" + WorkerContract.ENV_SECRET_KEY + ")")
          : new UriBlobs(new FileBlobs(), new S3Blobs(s3));
      TrainedModel trained = TrainedModel.locate(blobs, PredictInputs.uriOf(model), step);
      OutputFiles.checkWritable("--output", output, force, trained.folder());
      try (Classifier classifier = Classifier.load(trained)) {
        describe(trained);
        List<ImageSource> sources = new ArrayList<>();
        String labelsUri = labels == null ? null : PredictInputs.uriOf(labels);
        if (labelsUri != null && inputs.size() != 1) {
          throw new InvalidSettingException("--labels: give exactly one IDX images input with it, not " + inputs.size());
        }
        for (String input : inputs) {
          sources.add(PredictInputs.open(blobs, PredictInputs.uriOf(input), labelsUri, classifier.input()));
        }
        Predictions.Summary summary;
        // More ranks than the model has classes would be empty columns (and --top 2147483647 a header of billions).
        int ranks = Math.min(top, classifier.card().classes().size());
        try (PredictionWriter writer = output == null ? PredictionWriter.toTerminal(environment.out)
            : OutputFiles.isStandardOutput(output) ? PredictionWriter.toCsv(environment.out, ranks, false)
            : PredictionWriter.toFile(output, ranks)) {
          summary = new Predictions(classifier, top).run(sources, writer, progress());
        }
        report(summary);
        return WorkerContract.EXIT_OK;
      }
    } catch (FileNotFoundException e) {
      // A named input or model file that is not there: the user's to fix, whichever reader found it.
      throw CommandFailure.of("predict", new PredictInputException(e.getMessage(), e));
    } catch (IOException | RuntimeException e) {
      throw CommandFailure.of("predict", e);
    } finally {
      if (s3 != null) {
        try {
          s3.close();
        } catch (IOException ignored) {
          // Nothing was written through it; a failed close loses nothing.
        }
      }
    }
  }

  private S3Endpoint connect() {
    if (endpoint == null || endpoint.isBlank()) {
      return null;
    }
    String accessKey = environment.env.get(WorkerContract.ENV_ACCESS_KEY);
    String secretKey = environment.env.get(WorkerContract.ENV_SECRET_KEY);
    if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
      throw new InvalidSettingException("--endpoint " + endpoint + ": set $" + WorkerContract.ENV_ACCESS_KEY
          + " and $" + WorkerContract.ENV_SECRET_KEY + " to the store's credentials");
    }
    try {
      return S3Endpoint.connect(endpoint, region, accessKey, secretKey);
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingException("--endpoint must be http(s)://host[:port], was " + endpoint, e);
    }
  }

  /** Which model answers: what a person checks before trusting the numbers. */
  private void describe(TrainedModel trained) {
    PrintWriter err = environment.err;
    ModelCard card = trained.card();
    StringBuilder line = new StringBuilder("model: ").append(Printable.of(trained.where())).append(" (")
        .append(card.architecture()).append(", ").append(card.classes().size()).append(" classes, ").append(card.channels()).append('x')
        .append(card.imageSize()).append('x').append(card.imageSize());
    if (card.step() != null) {
      line.append(", step ").append(card.step());
    }
    if (card.run() != null) {
      line.append(" of run ").append(card.run().namespace()).append('/').append(card.run().name());
    }
    if (card.validation() != null) {
      line.append(String.format(Locale.ROOT, ", validation accuracy %.4f", card.validation().accuracy()));
    }
    err.println(line.append(')'));
    if (trained.rebuilt()) {
      err.println("model: no model-card.json beside it (trained before cards existed); card rebuilt from the run's"
          + " spec.json, run.json and metrics.json");
    }
  }

  private Predictions.Progress progress() {
    if (output == null) {
      return (done, skipped) -> { };
    }
    TerminalProgress bar = new TerminalProgress(environment.err, System.console() != null);
    long started = System.nanoTime();
    return (done, skipped) -> {
      double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
      bar.onProgress(new StageProgress("predict", 0, 1, 0, 0, done, 0, done / seconds, null, null,
          Instant.now().toString(), skipped));
    };
  }

  private void report(Predictions.Summary summary) {
    // With the CSV on standard output, the summary goes beside it, not into it.
    PrintWriter to = output != null && OutputFiles.isStandardOutput(output) ? environment.err : environment.out;
    if (output != null && !OutputFiles.isStandardOutput(output)) {
      to.println("wrote " + summary.images() + " predictions to " + Printable.of(output.toString()));
    }
    to.println("predicted " + summary.images() + " images, skipped " + summary.skipped() + " that could not be decoded");
    if (summary.labeled() > 0) {
      to.printf(Locale.ROOT, "accuracy %.4f (%d of %d labeled images)%n", summary.accuracy(), summary.correct(),
          summary.labeled());
    }
    to.flush();
  }
}
