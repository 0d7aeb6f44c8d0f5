package dev.semisup.worker.data.formats;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.data.FileSlices;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.LabelScan;
import dev.semisup.worker.data.decode.ImageBytes;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.pipeline.DecodeSettings;
import dev.semisup.worker.data.pipeline.OrderedDecoding;
import dev.semisup.worker.store.Blobs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * A folder of JPEG/PNG files, read recursively. When every image sits inside a first-level
 * subfolder, those subfolders are the classes (sorted names are labels 0..n-1, the ImageFolder
 * convention); images directly in the folder mean a crawled pool, all UNLABELED. An image's key is its file's URI (the reference pack reads it back by).
 *
 * <p>Class numbering is the labeled set's: a validation set or a labeled-format pool given the
 * labeled folder must have exactly its class folders (a missing or extra one is an error naming
 * it), since a folder short of one class would shift every label after it.
 *
 * <p>Order: a flat pool is read in sorted path order. A folder of class folders is read class by
 * class in turn (one image of each class, then the next of each), each class's images in a fixed
 * seeded shuffle. So {@code limit: N} takes a class-balanced sample, not the first N sorted paths
 * (a few classes), and a larger limit keeps every image of a smaller one at the same ordinal.
 *
 * <p>A pass lists its files in that order on the caller's thread; each file is fetched and decoded
 * on the decode pipeline's threads ({@link DecodingStream}) and handed back in order.
 */
public final class FolderSource implements ImageSource, LabelScan, FileSlices {

  private final Blobs blobs;
  private final String folderUri;
  private final boolean readLabels;
  private final boolean skipCorrupt;
  private final ImageGeometry geometry;
  private final long limit;
  private final ClassFolders expected;
  private final DecodeSettings decoding;
  private Listing listing;

  /** The class folders a labeled folder must have: the labeled set's, or a count of them. */
  public record ClassFolders(String field, FolderSource labeled, int classes) {

    /** The labeled set itself: as many class folders as data.classes. */
    public static ClassFolders count(String field, int classes) {
      return new ClassFolders(field, null, classes);
    }

    /** A validation set or labeled-format pool: the labeled folder's class folders, no more, no less. */
    public static ClassFolders of(String field, FolderSource labeled) {
      return new ClassFolders(field, labeled, 0);
    }
  }

  /**
   * @param readLabels  false for a pool: every image comes UNLABELED
   * @param skipCorrupt skip (and count) undecodable images instead of failing
   */
  public FolderSource(Blobs blobs, String folderUri, boolean readLabels, boolean skipCorrupt,
      ImageGeometry geometry, long limit) {
    this(blobs, folderUri, readLabels, skipCorrupt, geometry, limit, null);
  }

  /** @param expected the class folders this folder must have when it has any; null to take its own */
  public FolderSource(Blobs blobs, String folderUri, boolean readLabels, boolean skipCorrupt,
      ImageGeometry geometry, long limit, ClassFolders expected) {
    this(blobs, folderUri, readLabels, skipCorrupt, geometry, limit, expected, DecodeSettings.configured());
  }

  /** As above, decoding with the given settings rather than the process's. */
  public FolderSource(Blobs blobs, String folderUri, boolean readLabels, boolean skipCorrupt,
      ImageGeometry geometry, long limit, ClassFolders expected, DecodeSettings decoding) {
    this.decoding = decoding;
    this.blobs = blobs;
    this.folderUri = folderUri.endsWith("/") ? folderUri : folderUri + "/";
    this.readLabels = readLabels;
    this.skipCorrupt = skipCorrupt;
    this.geometry = geometry;
    this.limit = limit;
    this.expected = expected;
  }

  @Override
  public String describe() {
    return folderUri;
  }

  /** The class folder names in label order; empty when the folder is an unlabeled pool. */
  public List<String> classNames() throws IOException {
    return listing().classes;
  }

  /** Images of a pass, up to the limit. */
  public long count() throws IOException {
    return listing().files.size();
  }

  /** One listing per source: every pass (an epoch, a shard) numbers the same files the same way. */
  private synchronized Listing listing() throws IOException {
    if (listing == null) {
      listing = Listing.of(this);
    }
    return listing;
  }

  @Override
  public ImageStream open(LongPredicate wanted) throws IOException {
    Listing listing = listing();
    List<PoolManifest.PoolFile> files = new ArrayList<>(listing.files.size());
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

  /** The wanted files in order, each fetched and decoded on the decode pipeline's threads. */
  private ImageStream stream(Listing listing, List<PoolManifest.PoolFile> files, LongPredicate wanted) {
    int[] next = {0};
    OrderedDecoding.Reader<DecodingStream.EncodedImage> reader = () -> {
      while (next[0] < files.size()) {
        PoolManifest.PoolFile poolFile = files.get(next[0]++);
        long ordinal = poolFile.index();
        if (wanted.test(ordinal)) {
          String file = poolFile.uri();
          return new DecodingStream.EncodedImage(() -> fetch(file), ordinal, file, listing.label(file), file);
        }
      }
      return null;
    };
    return new DecodingStream(reader, () -> { }, geometry, skipCorrupt, decoding);
  }

  private byte[] fetch(String file) throws IOException {
    return ImageBytes.ofFile(blobs, file);
  }

  /** See {@link Listing#passOrder}. */
  static List<String> passOrder(String folderUri, List<String> sortedImages) {
    return Listing.passOrder(folderUri, sortedImages);
  }

  static boolean isImage(String file) {
    String name = file.toLowerCase(Locale.ROOT);
    return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
  }

  @Override
  public void scanLabels(Sink sink) throws IOException {
    Listing listing = listing();
    for (int ordinal = 0; ordinal < listing.files.size(); ordinal++) {
      String file = listing.files.get(ordinal);
      sink.label(ordinal, file, listing.label(file));
    }
  }

  /** The images of one pass (up to the limit) and the class folders, from one listing. */
  private record Listing(String folderUri, List<String> files, List<String> classes) {

    static Listing of(FolderSource source) throws IOException {
      List<String> images = source.blobs.list(source.folderUri).stream().filter(FolderSource::isImage).sorted().toList();
      if (images.isEmpty()) {
        throw new BadDataException(source.folderUri + ": no .jpg, .jpeg or .png images in this folder");
      }
      // Classes come from the whole folder, so a limit cannot renumber them.
      boolean allInSubfolders = true;
      TreeMap<String, List<String>> byClass = new TreeMap<>();
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
          byClass.computeIfAbsent(relative.substring(0, slash), name -> new ArrayList<>()).add(file);
        }
      }
      List<String> classNames = allInSubfolders && source.readLabels ? List.copyOf(byClass.keySet()) : List.of();
      if (!classNames.isEmpty() && source.expected != null) {
        check(source, classNames, source.expected);
      }
      List<String> order = allInSubfolders ? classByClass(byClass) : images;
      List<String> files = order.subList(0, (int) Math.min(source.limit, order.size()));
      return new Listing(source.folderUri, files, classNames);
    }

    /**
     * The order of a whole pass over these images (sorted URIs under the folder): class by class
     * in turn when every image sits in a class folder, else sorted. The pool manifest lists a
     * folder pool in this order, so a shard's slice numbers images as a whole pass does.
     */
    static List<String> passOrder(String folderUri, List<String> sortedImages) {
      TreeMap<String, List<String>> byClass = new TreeMap<>();
      for (String file : sortedImages) {
        String relative = file.startsWith(folderUri) ? file.substring(folderUri.length()) : "";
        int slash = relative.indexOf('/');
        if (slash < 0) {
          return sortedImages;
        }
        byClass.computeIfAbsent(relative.substring(0, slash), name -> new ArrayList<>()).add(file);
      }
      return classByClass(byClass);
    }

    /** One image of each class in turn, each class in a shuffle seeded by its name: a limit stays balanced. */
    private static List<String> classByClass(TreeMap<String, List<String>> byClass) {
      List<List<String>> classes = new ArrayList<>();
      int longest = 0;
      for (var entry : byClass.entrySet()) {
        List<String> files = new ArrayList<>(entry.getValue());
        Collections.shuffle(files, new Random(entry.getKey().hashCode()));
        classes.add(files);
        longest = Math.max(longest, files.size());
      }
      List<String> order = new ArrayList<>();
      for (int i = 0; i < longest; i++) {
        for (List<String> files : classes) {
          if (i < files.size()) {
            order.add(files.get(i));
          }
        }
      }
      return order;
    }

    /** The folder's class folders against the labeled set's (or data.classes for the labeled set itself). */
    private static void check(FolderSource source, List<String> classNames, ClassFolders expected) throws IOException {
      if (expected.labeled() == null) {
        if (classNames.size() != expected.classes()) {
          throw new BadDataException(expected.field() + ": " + source.folderUri + " has " + classNames.size()
              + " class folders " + shortList(classNames) + ", but data.classes is " + expected.classes());
        }
        return;
      }
      List<String> labeled = expected.labeled().classNames();
      List<String> missing = labeled.stream().filter(name -> !classNames.contains(name)).toList();
      List<String> extra = classNames.stream().filter(name -> !labeled.contains(name)).toList();
      if (!missing.isEmpty() || !extra.isEmpty()) {
        StringBuilder problem = new StringBuilder(expected.field() + ": " + source.folderUri);
        if (!missing.isEmpty()) {
          problem.append(" lacks class folder").append(missing.size() > 1 ? "s " : " ").append(shortList(missing));
        }
        if (!extra.isEmpty()) {
          problem.append(missing.isEmpty() ? "" : " and").append(" has class folder").append(extra.size() > 1 ? "s " : " ")
              .append(shortList(extra)).append(" not in the labeled set");
        }
        problem.append(" (").append(expected.labeled().describe())
            .append("); classes are numbered by the labeled set's sorted class folders, so they must match");
        throw new BadDataException(problem.toString());
      }
    }

    private static String shortList(List<String> names) {
      List<String> quoted = names.stream().limit(10).map(name -> "'" + name + "'").toList();
      return String.join(", ", quoted) + (names.size() > 10 ? " and " + (names.size() - 10) + " more" : "");
    }

    /** Classes from these files (all of the pool's), when every one sits in a first-level subfolder. */
    static Listing of(String folderUri, boolean readLabels, List<String> images) {
      boolean allInSubfolders = true;
      TreeSet<String> classes = new TreeSet<>();
      for (String file : images) {
        String relative = file.startsWith(folderUri) ? file.substring(folderUri.length()) : "";
        int slash = relative.indexOf('/');
        if (slash < 0) {
          allInSubfolders = false;
        } else {
          classes.add(relative.substring(0, slash));
        }
      }
      return new Listing(folderUri, images, allInSubfolders && readLabels ? List.copyOf(classes) : List.of());
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
