package dev.semisup.worker.data.formats;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.store.Blobs;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** The files of a source whose URI is one file or a folder ('/' at the end) of such files. */
public final class ShardFiles {

  private ShardFiles() {
  }

  /** The URI itself, or every file under the folder whose name ends in the suffix, sorted. */
  public static List<String> list(Blobs blobs, String uri, String suffix) throws IOException {
    if (!uri.endsWith("/")) {
      return List.of(uri);
    }
    List<String> files = blobs.list(uri).stream()
        .filter(file -> file.toLowerCase(Locale.ROOT).endsWith(suffix))
        .sorted()
        .toList();
    if (files.isEmpty()) {
      throw new BadDataException(uri + ": no " + suffix + " files in this folder");
    }
    return files;
  }

  public static String name(String uri) {
    return uri.substring(uri.lastIndexOf('/') + 1);
  }
}
