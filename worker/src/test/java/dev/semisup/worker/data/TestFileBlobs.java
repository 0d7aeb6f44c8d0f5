package dev.semisup.worker.data;

import dev.semisup.worker.store.Blobs;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** {@link Blobs} for file:// URIs only, so the data tests do not depend on the real store clients. */
public class TestFileBlobs implements Blobs {

  public static String uri(Path path) {
    String uri = path.toUri().toString();
    return Files.isDirectory(path) && !uri.endsWith("/") ? uri + "/" : uri;
  }

  @Override
  public InputStream open(String uri) throws IOException {
    try {
      return Files.newInputStream(path(uri));
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException(uri);
    }
  }

  @Override
  public List<String> list(String folderUri) throws IOException {
    try (Stream<Path> files = Files.walk(path(folderUri))) {
      return files.filter(Files::isRegularFile).map(TestFileBlobs::uri).sorted().toList();
    }
  }

  @Override
  public long size(String uri) throws IOException {
    return Files.size(path(uri));
  }

  private static Path path(String uri) {
    if (!uri.startsWith("file:")) {
      throw new IllegalArgumentException("test blobs read file:// only, not " + uri);
    }
    return Path.of(URI.create(uri));
  }
}
