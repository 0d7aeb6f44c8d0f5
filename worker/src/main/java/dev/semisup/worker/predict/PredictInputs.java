package dev.semisup.worker.predict;

import dev.semisup.worker.data.formats.FolderSource;
import dev.semisup.worker.data.formats.IdxSource;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.formats.TarShardSource;
import dev.semisup.worker.model.card.ModelInput;
import dev.semisup.worker.store.Blobs;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What predict reads, by the input's name, through the project's own readers: an image file
 * (.jpg/.jpeg/.png), a folder of images (recursively, all unlabeled), a tar shard or a folder of
 * them (WebDataset-style; .cls members are labels), or an IDX images file (MNIST/Fashion-MNIST,
 * gz or not; labels from {@code --labels}). Undecodable images are skipped and counted, as pools are.
 */
public final class PredictInputs {

  private PredictInputs() {
  }

  /** A plain path becomes a file:/// URI (a folder's ending in '/'); a URI stays as it is. */
  public static String uriOf(String input) {
    if (input.contains("://")) {
      return input;
    }
    Path path = Path.of(input).toAbsolutePath().normalize();
    String uri = path.toUri().toString().replaceFirst("^file:/(?!/)", "file:///");
    return Files.isDirectory(path) && !uri.endsWith("/") ? uri + "/" : uri;
  }

  /**
   * @param labelsUri an IDX labels file for an IDX input, or null
   */
  public static ImageSource open(Blobs blobs, String uri, String labelsUri, ModelInput input) throws IOException {
    ImageGeometry geometry = input.geometry();
    String name = uri.substring(uri.lastIndexOf('/', uri.length() - 2) + 1).toLowerCase(Locale.ROOT);
    if (isIdx(name)) {
      return new IdxSource(blobs, uri, labelsUri, geometry, Long.MAX_VALUE);
    }
    if (labelsUri != null) {
      throw new PredictInputException("--labels: only for an IDX images file (*-idx3-ubyte[.gz]); " + uri + " is not one");
    }
    if (name.endsWith(".tar")) {
      return new TarShardSource(blobs, uri, true, true, geometry, Long.MAX_VALUE);
    }
    if (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg")) {
      return new SingleImage(blobs, uri, input);
    }
    if (uri.endsWith("/")) {
      List<String> files;
      try {
        files = blobs.list(uri);
      } catch (FileNotFoundException e) {
        throw new PredictInputException(uri + " does not exist", e);
      }
      boolean images = files.stream().map(f -> f.toLowerCase(Locale.ROOT))
          .anyMatch(f -> f.endsWith(".png") || f.endsWith(".jpg") || f.endsWith(".jpeg"));
      if (images) {
        return new FolderSource(blobs, uri, false, true, geometry, Long.MAX_VALUE);
      }
      if (files.stream().anyMatch(f -> f.endsWith(".tar"))) {
        return new TarShardSource(blobs, uri, true, true, geometry, Long.MAX_VALUE);
      }
      throw new PredictInputException(uri + ": no .jpg, .jpeg, .png or .tar files in this folder");
    }
    throw new PredictInputException(uri + ": not an image (.jpg, .jpeg, .png), a tar shard (.tar), an IDX images file"
        + " (*-idx3-ubyte[.gz]) or a folder");
  }

  static boolean isIdx(String name) {
    return name.contains("idx3-ubyte") || name.endsWith(".idx3") || name.endsWith(".idx3.gz");
  }
}
