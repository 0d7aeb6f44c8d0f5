package dev.semisup.worker.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The bytes of a list of files, one stream per file, taken in the list's order: how a pass reads
 * the tar files of its shard. Closing the sequence ends every read it has under way.
 */
public interface FileSequence extends Closeable {

  /**
   * The next file's bytes; its stream may be left before its end. Throws NoSuchElementException
   * past the last file.
   */
  InputStream nextFile() throws IOException;

  /**
   * The files read ahead by ranged reads ({@link RangedReadAhead}) where the settings ask for it
   * and every file is remote; otherwise each opened in turn as one stream, as a local disk reads
   * best. Sizes of -1 are asked of the store when the file's turn comes.
   */
  static FileSequence of(Blobs blobs, List<Blobs.Sized> files, ReadAheadSettings settings) {
    if (settings.readsAhead() && !files.isEmpty() && files.stream().allMatch(file -> blobs.remote(file.uri()))) {
      return new RangedReadAhead(blobs, files, settings);
    }
    return new WholeFiles(blobs, files);
  }

  /** One forward-only stream per file, opened when the reader gets to it. */
  final class WholeFiles implements FileSequence {
    private final Blobs blobs;
    private final List<Blobs.Sized> files;
    private int next;

    WholeFiles(Blobs blobs, List<Blobs.Sized> files) {
      this.blobs = blobs;
      this.files = List.copyOf(files);
    }

    @Override
    public InputStream nextFile() throws IOException {
      if (next >= files.size()) {
        throw new NoSuchElementException("all " + files.size() + " files were read");
      }
      return blobs.open(files.get(next++).uri());
    }

    @Override
    public void close() {
      // each stream is closed by its reader
    }
  }
}
