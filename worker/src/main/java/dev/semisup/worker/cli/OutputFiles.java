package dev.semisup.worker.cli;

import dev.semisup.worker.input.InvalidSettingException;
import dev.semisup.worker.input.Printable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where predict and report may write a file the user names. An existing file is kept unless the
 * user says --force: a mistyped --output must not silently replace a file. A file inside the
 * folder the command reads (the model's or the run's) is refused even with --force: replacing
 * the model's own model-card.json, or a run's report.json with HTML, breaks what was read.
 */
final class OutputFiles {

  /** The name that means standard output. */
  static final String STANDARD_OUTPUT = "-";

  private OutputFiles() {
  }

  static boolean isStandardOutput(Path output) {
    return output != null && output.toString().equals(STANDARD_OUTPUT);
  }

  /**
   * Throws an InvalidSettingException (exit 2) naming {@code option} when {@code output} may not
   * be written.
   *
   * @param readFolder the folder the command reads, as a URI (file:/// or another scheme); null if none
   */
  static void checkWritable(String option, Path output, boolean force, String readFolder) {
    if (output == null || isStandardOutput(output)) {
      return;
    }
    Path target = real(output.toAbsolutePath().normalize());
    Path folder = localFolder(readFolder);
    if (folder != null && target.startsWith(folder)) {
      throw new InvalidSettingException(option + " " + Printable.of(output.toString()) + ": inside " + folder
          + ", the folder this command reads; writing there would replace what it read (even with --force)");
    }
    if (Files.isDirectory(target)) {
      throw new InvalidSettingException(option + " " + Printable.of(output.toString()) + " is a directory; name a file");
    }
    if (Files.exists(target) && !force) {
      throw new InvalidSettingException(option + " " + Printable.of(output.toString())
          + " already exists; give --force to replace it, or another name");
    }
  }

  /** The folder on this machine a file:/// URI names, its links resolved; null for another scheme. */
  private static Path localFolder(String uri) {
    if (uri == null || !uri.startsWith("file:")) {
      return null;
    }
    try {
      return real(Path.of(URI.create(uri)).toAbsolutePath().normalize());
    } catch (IllegalArgumentException e) {
      // A hand-written file URI with unescaped characters: the path after the scheme.
      return real(Path.of(uri.substring("file:".length()).replaceFirst("^//", "")).toAbsolutePath().normalize());
    }
  }

  /**
   * The path with its deepest existing ancestor's links resolved: a link to the model's folder,
   * or a file through one, is seen for where it writes.
   */
  private static Path real(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return path;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(path));
    } catch (IOException e) {
      return path;
    }
  }
}
