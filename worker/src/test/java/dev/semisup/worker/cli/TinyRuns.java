package dev.semisup.worker.cli;

import dev.semisup.worker.testing.TinyDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** `semisup run` on the tiny dataset, in a test's own folder: manifests by name, runs, their output. */
final class TinyRuns {

  record Result(int exit, String out, String err) {
  }

  private final Path dir;
  private final String dataUri;

  TinyRuns(Path dir) throws IOException {
    this.dir = dir;
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    this.dataUri = data.toUri().toString().replaceFirst("^file:/(?!/)", "file:///");
  }

  /** The tiny manifest of a run with this name and storage section (may be blank). */
  String manifest(String name, String storageYaml) {
    return TinyDataset.manifest(name, dataUri, storageYaml);
  }

  Path write(String fileName, String manifest) throws IOException {
    Path file = dir.resolve(fileName);
    Files.writeString(file, manifest);
    return file;
  }

  Result run(Path manifest, String... more) {
    String[] args = new String[4 + more.length];
    args[0] = "run";
    args[1] = manifest.toString();
    args[2] = "--store";
    args[3] = store().toString();
    System.arraycopy(more, 0, args, 4, more.length);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  Path dir() {
    return dir;
  }

  Path store() {
    return dir.resolve("store");
  }

  /** Where a local run's prefix lives in the store directory. */
  Path prefix(String prefix) {
    return store().resolve("semisup").resolve(prefix);
  }
}
