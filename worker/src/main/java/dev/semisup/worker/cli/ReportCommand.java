package dev.semisup.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.WorkerContract;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.StorageSpec;
import dev.semisup.worker.input.InvalidSettingException;
import dev.semisup.worker.input.Printable;
import dev.semisup.worker.report.ContactSheets;
import dev.semisup.worker.report.RunReportPage;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.store.ObjectStore;
import dev.semisup.worker.store.S3Location;
import dev.semisup.worker.store.StoreConnection;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code semisup report RUN}: rebuilds a run's report.html from what its steps left in the store
 * and writes it into the run's prefix (the last fine-tune writes it too). RUN is the run's manifest
 * (its storage as {@code semisup run} resolves it), or the run's prefix as a URI: a local
 * {@code file:///.../runs/local/NAME} or {@code s3://bucket/prefix} (with {@code --endpoint} and the
 * worker's credential variables). The spec comes from the prefix's spec.json, so the report shows
 * the run as it ran.
 */
@Command(name = "report", description = "Rebuild a run's report.html (timeline, accuracy, training curves, contact sheets).")
final class ReportCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(index = "0", paramLabel = "RUN",
      description = "The run's manifest (FILE.yaml), or its prefix: file:///DIR/runs/local/NAME or s3://BUCKET/PREFIX.")
  String target;

  @Option(names = "--store", paramLabel = "DIR", defaultValue = ".semisup/store",
      description = "With a manifest: the local object store directory of semisup run (default ${DEFAULT-VALUE}).")
  Path store;

  @Option(names = "--endpoint", paramLabel = "URL",
      description = "With an s3:// prefix: the S3 endpoint (credentials from " + WorkerContract.ENV_ACCESS_KEY + " and "
          + WorkerContract.ENV_SECRET_KEY + ").")
  String endpoint;

  @Option(names = "--classes", paramLabel = "N", split = ",",
      description = "Classes that get a contact sheet (default: every class up to " + ContactSheets.SHEET_CLASSES
          + ", else the least precise).")
  List<Integer> classes;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Also write the page to this local file ('-': to standard output). An existing FILE is kept unless"
          + " --force; never one inside the run's folder.")
  Path output;

  @Option(names = "--force", description = "Let --output replace an existing file (never one inside the run's folder).")
  boolean force;

  @Mixin
  CommandEnvironment environment;

  ReportCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  /** A run's prefix opened for reading and writing its report. */
  private record Opened(String name, ObjectStore store, ObjectLayout layout, StoreConnection connection) {
  }

  @Override
  public Integer call() throws ManifestException, CommandFailure {
    PrintWriter out = environment.out;
    Set<Integer> chosen = new LinkedHashSet<>(classes == null ? List.of() : classes);
    Opened opened = open();
    try {
      OutputFiles.checkWritable("--output", output, force, opened.store().uri(opened.layout().prefix()));
      String specKey = opened.layout().specSnapshot();
      if (!opened.store().exists(specKey)) {
        throw new InvalidSettingException(target + ": no run here: " + opened.store().uri(specKey)
            + " does not exist (has the run started?)");
      }
      SemiSupervisedRunSpec spec = Manifests.parseSpec(opened.store().getString(specKey), opened.store().uri(specKey));
      int classCount = spec.getData().getClasses();
      for (int cls : chosen) {
        if (cls < 0 || cls >= classCount) {
          throw new InvalidSettingException("--classes: " + cls + " is not a class of this run (0.."
              + (classCount - 1) + ")");
        }
      }
      RunReportPage.Run run = new RunReportPage.Run(opened.name(), opened.store(), opened.layout(), StagePlan.of(spec));
      String uri = RunReportPage.write(run, Clock.systemUTC(), chosen);
      // With the page on standard output, the line about it goes beside it, not into it.
      PrintWriter beside = OutputFiles.isStandardOutput(output) ? environment.err : out;
      beside.println("semisup: report of run '" + Printable.of(opened.name())
          + "': " + Printable.of(uri));
      if (OutputFiles.isStandardOutput(output)) {
        out.write(new String(opened.store().get(opened.layout().reportPage()), StandardCharsets.UTF_8));
      } else if (output != null) {
        Files.write(output, opened.store().get(opened.layout().reportPage()));
        out.println("semisup: copy written to " + Printable.of(output.toAbsolutePath().toString()));
      }
      out.flush();
      return WorkerContract.EXIT_OK;
    } catch (IOException | RuntimeException e) {
      throw CommandFailure.of("building the report of " + target, e);
    } finally {
      if (opened.connection() != null) {
        try {
          opened.connection().close();
        } catch (IOException e) {
          environment.err.println("semisup: closing the store: " + e.getMessage());
        }
      }
    }
  }

  private Opened open() throws ManifestException {
    if (target.startsWith("file:")) {
      Path prefix;
      try {
        prefix = Path.of(URI.create(target));
      } catch (IllegalArgumentException e) {
        throw new InvalidSettingException("RUN: " + target + " is not a file:///path URI (" + e.getMessage() + ")");
      }
      if (!Files.isDirectory(prefix)) {
        throw new InvalidSettingException("RUN: " + target + " is not a directory");
      }
      // The prefix's parent is the store's root and its last folder the layout's prefix, so the
      // prefix itself has a key (and a URI) as in any run.
      ObjectStore local = new LocalDirectoryStore(prefix.toAbsolutePath().getParent());
      ObjectLayout layout = new ObjectLayout(prefix.getFileName().toString());
      return new Opened(runName(prefix.getFileName().toString(), local, layout), local, layout, null);
    }
    if (target.startsWith("s3://")) {
      S3Location location = S3Location.parse(target);
      if (endpoint == null || endpoint.isBlank()) {
        throw new InvalidSettingException("--endpoint: an s3:// prefix needs the S3 endpoint (http(s)://host[:port])");
      }
      StorageSpec storage = new StorageSpec();
      storage.setEndpoint(endpoint);
      storage.setBucket(location.bucket());
      StoreConnection connection = StoreConnection.open(storage, environment.env, null);
      ObjectLayout layout = new ObjectLayout(location.key());
      String last = layout.prefix().substring(layout.prefix().lastIndexOf('/') + 1);
      ObjectStore artifacts = connection.artifactStore();
      return new Opened(runName(last, artifacts, layout), artifacts, layout, connection);
    }
    Path manifest = Path.of(target);
    if (!Files.isRegularFile(manifest)) {
      throw new InvalidSettingException("RUN: " + target + " is neither a manifest file nor a file:// or s3:// prefix");
    }
    SemiSupervisedRun run = Manifests.read(manifest);
    String name = run.getMetadata().getName();
    String namespace = run.getMetadata().getNamespace() == null ? RunMarker.LOCAL_NAMESPACE : run.getMetadata().getNamespace();
    StoreConnection connection = StoreConnection.open(run.getSpec().getStorage(), environment.env, store);
    ObjectLayout layout = new ObjectLayout(run.getSpec().getStorage().resolvedPrefix(namespace, name));
    return new Opened(name, connection.artifactStore(), layout, connection);
  }

  /** The run's name from its marker (run.json), else the prefix's last folder. */
  private static String runName(String fallback, ObjectStore store, ObjectLayout layout) {
    try {
      return JSON.readValue(store.get(layout.runMarker()), RunMarker.class).name();
    } catch (IOException e) {
      // no marker (a run from before markers) or an unreadable one: the folder names the run
      return fallback;
    }
  }
}
