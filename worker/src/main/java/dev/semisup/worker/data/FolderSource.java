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
 * Keys are paths relative to the folder.
 */
public final class FolderSource implements ImageSource, LabelScan {

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
    return new ImageStream() {
      private final CorruptImages corrupt = new CorruptImages(skipCorrupt);
      private int next;

      @Override
      public ImageRecord next() throws IOException {
        while (next < listing.files.size()) {
          int ordinal = next++;
          if (!wanted.test(ordinal)) {
            continue;
          }
          String file = listing.files.get(ordinal);
          byte[] bytes;
          try (InputStream in = blobs.open(file)) {
            bytes = in.readAllBytes();
          }
          String key = listing.relative(file);
          try {
            return geometry.fit(ImageDecoder.decode(bytes, ordinal, key, listing.label(file)));
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
      List<String> images = source.blobs.list(source.folderUri).stream().filter(Listing::isImage).sorted().toList();
      if (images.isEmpty()) {
        throw new BadDataException(source.folderUri + ": no .jpg, .jpeg or .png images in this folder");
      }
      // Classes come from the whole folder, so a limit cannot renumber them.
      boolean allInSubfolders = true;
      TreeSet<String> classes = new TreeSet<>();
      for (String file : images) {
        if (!file.startsWith(source.folderUri)) {
          // Keys and class names are cut out of the URI; a store spelling it otherwise would garble them.
          throw new IOException(source.folderUri + ": listing returned " + file + ", which is not under it");
        }
        String relative = file.substring(source.folderUri.length());
        int slash = relative.indexOf('/');
        if (slash < 0) {
          allInSubfolders = false;
        } else {
          classes.add(relative.substring(0, slash));
        }
      }
      List<String> classNames = allInSubfolders && source.readLabels ? List.copyOf(classes) : List.of();
      List<String> files = images.subList(0, (int) Math.min(source.limit, images.size()));
      return new Listing(source.folderUri, files, classNames);
    }

    private static boolean isImage(String file) {
      String name = file.toLowerCase(Locale.ROOT);
      return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
    }

    String relative(String file) {
      return file.substring(folderUri.length());
    }

    int label(String file) {
      if (classes.isEmpty()) {
        return ImageRecord.UNLABELED;
      }
      String relative = relative(file);
      return Collections.binarySearch(classes, relative.substring(0, relative.indexOf('/')));
    }
  }
}
