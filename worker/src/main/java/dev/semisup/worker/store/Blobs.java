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
}
