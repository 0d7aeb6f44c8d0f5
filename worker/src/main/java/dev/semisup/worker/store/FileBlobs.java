package dev.semisup.worker.store;

import dev.semisup.worker.input.InvalidSettingException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Reads file:///absolute/path URIs (local mode, and data baked into an image). */
public final class FileBlobs implements Blobs {

  static final String SCHEME = "file:";

  @Override
  public InputStream open(String uri) throws IOException {
    Path file = path(uri);
    if (Files.isDirectory(file)) {
      throw new FileNotFoundException(uri + " is a directory; a folder URI ends with '/'");
    }
    // A symbolic link is followed, as the listing follows it; what it ends at must be a regular file.
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      throw new NotARegularFileException(uri + " is not a regular file (a FIFO, device or socket), so it is not read");
    }
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException(uri + " does not exist");
    }
  }

  @Override
  public List<String> list(String folderUri) throws IOException {
    if (!folderUri.endsWith("/")) {
      throw new InvalidSettingException("not a folder URI (it must end with '/'): " + folderUri);
    }
    Path folder = path(folderUri);
    if (!Files.isDirectory(folder)) {
      throw new FileNotFoundException(folderUri + " is not an existing directory");
    }
    try (Stream<Path> files = Files.walk(folder)) {
      // Half-written files of a local store (.partial-*) are not data.
      return files.filter(Files::isRegularFile)
          .filter(file -> !file.getFileName().toString().startsWith(ObjectKeys.PARTIAL_PREFIX))
          .map(file -> file.toUri().toString())
          .sorted()
          .toList();
    } catch (UncheckedIOException e) {
      throw new IOException("could not list " + folderUri + ": " + e.getCause().getMessage(), e);
    }
  }

  @Override
  public long size(String uri) throws IOException {
    try {
      return Files.size(path(uri));
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException(uri + " does not exist");
    }
  }

  /** Reads only the range: the file is positioned at {@code offset}, nothing before it is read. */
  @Override
  public InputStream openRange(String uri, long offset, long length) throws IOException {
    java.nio.channels.SeekableByteChannel channel;
    try {
      channel = Files.newByteChannel(path(uri));
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException(uri + " does not exist");
    }
    channel.position(offset);
    return new RangeInputStream(java.nio.channels.Channels.newInputStream(channel), length);
  }

  /**
   * file:///a/b, file:/a/b, or a hand-written file:///a b/c with unescaped characters. A host
   * (file://data/x) is refused: it is usually a relative path by mistake.
   */
  static Path path(String uri) {
    if (uri == null || !uri.startsWith(SCHEME)) {
      throw new InvalidSettingException("not a file:///path URI: " + uri);
    }
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException unescaped) {
      String path = uri.substring(SCHEME.length()).replaceFirst("^//", "");
      if (!path.startsWith("/")) {
        throw new InvalidSettingException("file URI must be absolute, file:///path: " + uri);
      }
      return Path.of(path);
    }
    if (parsed.getAuthority() != null && !parsed.getAuthority().isEmpty()) {
      throw new InvalidSettingException(
          "file URI must be absolute, file:///path (three slashes): " + uri);
    }
    if (parsed.getPath() == null || !parsed.getPath().startsWith("/")) {
      throw new InvalidSettingException("file URI must be absolute, file:///path: " + uri);
    }
    return Path.of(parsed.getPath());
  }
}
