package dev.semisup.worker.store;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Read access to data by URI: {@code file:///path} or {@code s3://bucket/key}. A URI ending in
 * '/' is a folder: {@link #list} gives every object under it, sorted.
 */
public interface Blobs {

  /** A missing object throws {@link FileNotFoundException} naming the URI. */
  InputStream open(String uri) throws IOException;

  /** URIs of every object under the folder URI (recursively), sorted. */
  List<String> list(String folderUri) throws IOException;

  long size(String uri) throws IOException;

  /**
   * Whether reading the URI crosses a network, where one connection carries less than the link
   * and several ranged reads at once ({@link RangedReadAhead}) carry more; a local file is not.
   */
  default boolean remote(String uri) {
    return false;
  }

  /** An object of a listing with its size: what a pool manifest records. */
  record Sized(String uri, long bytes) {
  }

  /**
   * Every object under the folder URI with its size, sorted by URI. Stores override it to take
   * the sizes from the listing itself; this default asks for each size in turn.
   */
  default List<Sized> listSized(String folderUri) throws IOException {
    List<Sized> sized = new java.util.ArrayList<>();
    for (String uri : list(folderUri)) {
      sized.add(new Sized(uri, size(uri)));
    }
    return sized;
  }

  /**
   * {@code length} bytes of an object from {@code offset} (a tar member, for example). Stores
   * override it with a ranged read that moves only those bytes; this default skips to them.
   */
  default InputStream openRange(String uri, long offset, long length) throws IOException {
    InputStream in = open(uri);
    try {
      in.skipNBytes(offset);
    } catch (IOException e) {
      in.close();
      throw new IOException(uri + ": cannot read " + length + " bytes at offset " + offset + ": " + e.getMessage(), e);
    }
    return new RangeInputStream(in, length);
  }
}
