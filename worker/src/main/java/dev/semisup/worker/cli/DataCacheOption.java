package dev.semisup.worker.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-cache DIR}, for the commands that may download the demo data. */
final class DataCacheOption {

  @Option(names = "--data-cache", paramLabel = "DIR", description = "Where downloaded demo data is kept (default ~/.cache/semisup).")
  Path directory;
}
