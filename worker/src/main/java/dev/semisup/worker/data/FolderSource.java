package dev.semisup.worker.data;

import dev.semisup.worker.store.Blobs;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * A folder of JPEG/PNG files, read recursively in sorted order. When every image sits inside a
 * first-level subfolder, those subfolders are the classes (sorted names are labels 0..n-1, the
 * ImageFolder convention); images directly in the folder mean a crawled pool, all UNLABELED.
 * An image's ordinal is its place in the sorted listing; its key is its file's URI.
 */
public final class FolderSource implements ImageSource, LabelScan, FileSlices {

  private final Blobs blobs;
  private final String folderUri;
  private final boolean readLabels;
  private final boolean skipCorrupt;
  private final ImageGeometry geometry;
  private final long limit;

  /**
   * @param readLabels  false for a pool: every image comes UNLABELED
   * @param skipCorrupt skip (and count) undecodable images instead of failing
   */
  public FolderSource(Blobs blobs, String folderUri, boolean readLabels, boolean skipCorrupt,
      ImageGeometry geometry, long limit) {
    this.blobs = blobs;
    this.folderUri = folderUri.endsWith("/") ? folderUri : folderUri + "/";
    this.readLabels = readLabels;
    this.skipCorrupt = skipCorrupt;
    this.geometry = geometry;
    this.limit = limit;
  }

  @Override
  public String describe() {
    return folderUri;
  }

  /** The class folder names in label order; empty when the folder is an unlabeled pool. */
  public List<String> classNames() throws IOException {
    return Listing.of(this).classes;
  }

  @Override
  public ImageStream open(LongPredicate wanted) throws IOException {
    Listing listing = Listing.of(this);
    List<PoolManifest.PoolFile> files = new java.util.ArrayList<>(listing.files.size());
    for (String file : listing.files) {
      files.add(new PoolManifest.PoolFile(files.size(), file, -1));
    }
    return stream(listing, files, wanted);
  }

  /**
   * Some files of the pool manifest only. Class folders, when the pool has them, are taken from
   * the whole manifest's names (never a second listing), so a slice labels as a whole pass does.
   */
  @Override
  public ImageStream open(PoolManifest manifest, List<PoolManifest.PoolFile> files, LongPredicate wanted) {
    Listing whole = Listing.of(folderUri, readLabels, manifest.files().stream().map(PoolManifest.PoolFile::uri).toList());
    return stream(whole, files, wanted);
  }

  private ImageStream stream(Listing listing, List<PoolManifest.PoolFile> files, LongPredicate wanted) {
    return new ImageStream() {
      private final CorruptImages corrupt = new CorruptImages(skipCorrupt);
      private int next;

      @Override
      public ImageRecord next() throws IOException {
        while (next < files.size()) {
          PoolManifest.PoolFile poolFile = files.get(next++);
          long ordinal = poolFile.index();
          if (!wanted.test(ordinal)) {
            continue;
          }
          String file = poolFile.uri();
          byte[] bytes;
          try (InputStream in = blobs.open(file)) {
            bytes = in.readAllBytes();
          }
          try {
            return geometry.fit(ImageDecoder.decode(bytes, ordinal, file, listing.label(file)));
          } catch (ImageDecoder.CorruptImageException e) {
            corrupt.onCorrupt(file, e);
          }
        }
        return null;
      }

      @Override
      public long skipped() {
        return corrupt.skipped();
      }

      @Override
      public void close() {
      }
    };
  }

  static boolean isImage(String file) {
    String name = file.toLowerCase(Locale.ROOT);
    return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
  }

  @Override
  public void scanLabels(Sink sink) throws IOException {
    Listing listing = Listing.of(this);
    for (int ordinal = 0; ordinal < listing.files.size(); ordinal++) {
      sink.label(ordinal, listing.label(listing.files.get(ordinal)));
    }
  }

  /** The images of one pass (up to the limit) and the class folders, from one listing. */
  private record Listing(String folderUri, List<String> files, List<String> classes) {

    static Listing of(FolderSource source) throws IOException {
      List<String> images = source.blobs.list(source.folderUri).stream().filter(FolderSource::isImage).sorted().toList();
      if (images.isEmpty()) {
        throw new IOException(source.folderUri + ": no .jpg, .jpeg or .png images in this folder");
      }
      for (String file : images) {
        if (!file.startsWith(source.folderUri)) {
          // Keys and class names are cut out of the URI; a store spelling it otherwise would garble them.
          throw new IOException(source.folderUri + ": listing returned " + file + ", which is not under it");
        }
      }
      Listing whole = of(source.folderUri, source.readLabels, images);
      return new Listing(source.folderUri, images.subList(0, (int) Math.min(source.limit, images.size())), whole.classes);
    }

    /** Classes from these files (all of the pool's), when every one sits in a first-level subfolder. */
    static Listing of(String folderUri, boolean readLabels, List<String> images) {
      // Classes come from the whole folder, so a limit cannot renumber them.
      boolean allInSubfolders = true;
      TreeSet<String> classes = new TreeSet<>();
      for (String file : images) {
        if (!file.startsWith(folderUri)) {
          allInSubfolders = false;
          continue;
        }
        String relative = file.substring(folderUri.length());
        int slash = relative.indexOf('/');
        if (slash < 0) {
          allInSubfolders = false;
        } else {
          classes.add(relative.substring(0, slash));
        }
      }
      List<String> classNames = allInSubfolders && readLabels ? List.copyOf(classes) : List.of();
      return new Listing(folderUri, images, classNames);
    }

    String relative(String file) {
      return file.substring(folderUri.length());
    }

    int label(String file) {
      if (classes.isEmpty() || !file.startsWith(folderUri)) {
        return ImageRecord.UNLABELED;
      }
      String relative = relative(file);
      return Collections.binarySearch(classes, relative.substring(0, relative.indexOf('/')));
    }
  }
}
