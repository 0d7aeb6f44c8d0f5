package dev.semisup.worker.store;

import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * An object store in a local directory (local mode, {@code --store DIR}): key {@code a/b} is the
 * file {@code root/a/b}, so the run's artifacts can be browsed with a file manager.
 *
 * <p>Every write goes to a temporary file next to its target ({@code .partial-*}, never listed)
 * and is renamed over it atomically, so a reader sees the old object or the whole new one.
 */
public final class LocalDirectoryStore implements ObjectStore {

  private final Path root;
  private final AtomicLong bytesRead = new AtomicLong();

  public LocalDirectoryStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public void put(String key, byte[] bytes) throws IOException {
    write(key, out -> out.write(bytes));
  }

  @Override
  public boolean putIfAbsent(String key, byte[] bytes) throws IOException {
    Path target = path(key);
    Files.createDirectories(target.getParent());
    Path temp = target.resolveSibling(ObjectKeys.PARTIAL_PREFIX + UUID.randomUUID() + "-" + target.getFileName());
    Files.write(temp, bytes);
    try {
      // A hard link appears whole and fails if the name exists: create-if-absent with the content in place.
      Files.createLink(target, temp);
      return true;
    } catch (FileAlreadyExistsException taken) {
      return false;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public PendingObject create(String key) throws IOException {
    Path target = path(key);
    Files.createDirectories(target.getParent());
    Path temp = target.resolveSibling(
        ObjectKeys.PARTIAL_PREFIX + UUID.randomUUID() + "-" + target.getFileName());
    return new PendingFile(temp, target, uri(key));
  }

  @Override
  public InputStream open(String key) throws IOException {
    Path file = path(key);
    try {
      return new CountedInputStream(Files.newInputStream(file), bytesRead);
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException("no object " + key + " in " + describe() + " (" + file + ")");
    }
  }

  /** The file positioned at {@code offset}: nothing before it is read. */
  @Override
  public InputStream openRange(String key, long offset, long length) throws IOException {
    Path file = path(key);
    SeekableByteChannel channel;
    try {
      channel = Files.newByteChannel(file);
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException("no object " + key + " in " + describe() + " (" + file + ")");
    }
    try {
      channel.position(offset);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    return new CountedInputStream(new RangeInputStream(Channels.newInputStream(channel), length), bytesRead);
  }

  @Override
  public long bytesRead() {
    return bytesRead.get();
  }

  @Override
  public boolean exists(String key) {
    return Files.isRegularFile(path(key));
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    String checked = ObjectKeys.checkPrefix(prefix);
    // Walk only the folder the prefix names ("teacher/checkpoints/epoch-" -> teacher/checkpoints).
    int slash = checked.lastIndexOf('/');
    Path start = slash < 0 ? root : root.resolve(checked.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    List<String> keys = new ArrayList<>();
    try (Stream<Path> files = Files.walk(start)) {
      files.filter(Files::isRegularFile)
          .filter(file -> !file.getFileName().toString().startsWith(ObjectKeys.PARTIAL_PREFIX))
          .map(this::keyOf)
          .filter(key -> key.startsWith(checked))
          .forEach(keys::add);
    } catch (UncheckedIOException e) {
      // A file removed while walking (a concurrent delete) surfaces here.
      throw new IOException("could not list " + checked + " in " + describe() + ": "
          + e.getCause().getMessage(), e.getCause());
    }
    keys.sort(null);
    return keys;
  }

  @Override
  public void delete(String key) throws IOException {
    Files.deleteIfExists(path(key));
  }

  @Override
  public String uri(String key) {
    return path(key).toUri().toString();
  }

  /** Creates the directory if needed (a fresh --store DIR) and checks that it can be written. */
  @Override
  public void checkReachable() throws IOException {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new IOException(describe() + " cannot be created: " + e, e);
    }
    if (!Files.isDirectory(root) || !Files.isWritable(root)) {
      throw new IOException(describe() + " is not a writable directory");
    }
  }

  @Override
  public String toString() {
    return describe();
  }

  private String describe() {
    return "local store " + root;
  }

  private Path path(String key) {
    return root.resolve(ObjectKeys.check(key));
  }

  private String keyOf(Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  /** A temporary file that becomes the object on close. */
  static final class PendingFile extends PendingObject {

    private final Path temp;
    private final Path target;
    private final String uri;
    private final FileOutputStream file;
    private final OutputStream out;
    private boolean finished;
    private boolean broken;

    private PendingFile(Path temp, Path target, String uri) throws IOException {
      this.temp = temp;
      this.target = target;
      this.uri = uri;
      this.file = new FileOutputStream(temp.toFile());
      this.out = new BufferedOutputStream(file, 1 << 16);
    }

    @Override
    public void write(int b) throws IOException {
      ensureOpen();
      try {
        out.write(b);
      } catch (IOException e) {
        broken = true;
        throw e;
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      ensureOpen();
      try {
        out.write(bytes, offset, length);
      } catch (IOException e) {
        broken = true;
        throw e;
      }
    }

    @Override
    public void flush() throws IOException {
      ensureOpen();
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (finished) {
        return;
      }
      if (broken) {
        discard();
        throw new IOException(uri + " was not written: an earlier write to it failed");
      }
      finished = true;
      try {
        out.flush();
        // On disk before the rename: after a node crash the object is whole or absent, never empty.
        file.getFD().sync();
        out.close();
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        closeQuietly();
        Files.deleteIfExists(temp);
        throw new IOException("could not write " + uri + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void discard() throws IOException {
      if (finished) {
        return;
      }
      finished = true;
      closeQuietly();
      Files.deleteIfExists(temp);
    }

    private void ensureOpen() throws IOException {
      if (finished) {
        throw new IOException(uri + " is already closed or discarded");
      }
    }

    private void closeQuietly() {
      try {
        out.close();
      } catch (IOException ignored) {
        // The temporary file is deleted next; nothing of it matters any more.
      }
    }
  }
}
