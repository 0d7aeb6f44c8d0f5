package dev.semisup.worker.data.formats;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.data.FileSlices;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageRef;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.LabelScan;
import dev.semisup.worker.data.decode.ImageBytes;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.pipeline.DecodeSettings;
import dev.semisup.worker.input.Printable;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.FileSequence;
import dev.semisup.worker.store.ReadAheadSettings;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongPredicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * WebDataset-style tar shards: members that share a key (the member name up to the first '.' of
 * its base name) are one sample; {@code key.jpg|jpeg|png} is the image and an optional
 * {@code key.cls} holds the class number as text. Samples without an image are passed over and
 * get no ordinal. The URI is one .tar file or a folder of them, read in sorted order. An image's
 * ordinal is (file's place in that order) x 2^24 + (sample's place in its file), so a shard that
 * reads only some files still knows every ordinal, and every pass agrees on them. Keys are
 * {@link ImageRef}s: the file's URI, the image member and its data's byte range.
 *
 * <p>A pass reads the members in order on its caller's thread and decodes the images through the
 * decode pipeline ({@link DecodingStream}): same images, same order, whatever the thread count.
 * The tar files' bytes come through a {@link FileSequence}: from an object store, ranges of them
 * fetched several at once ahead of the reader ({@link ReadAheadSettings}); same bytes either way.
 */
public final class TarShardSource implements ImageSource, LabelScan, FileSlices {

  /** Samples per tar file the ordinal can tell apart; a WebDataset shard holds thousands. */
  static final int SAMPLE_BITS = 24;

  private final Blobs blobs;
  private final String uri;
  private final boolean readLabels;
  private final boolean skipCorrupt;
  private final ImageGeometry geometry;
  private final long limit;
  private final DecodeSettings decoding;
  private final ReadAheadSettings reading;

  /**
   * @param readLabels  false for a pool: .cls members are not read, images come UNLABELED
   * @param skipCorrupt skip (and count) undecodable images instead of failing
   */
  public TarShardSource(Blobs blobs, String uri, boolean readLabels, boolean skipCorrupt,
      ImageGeometry geometry, long limit) {
    this(blobs, uri, readLabels, skipCorrupt, geometry, limit, DecodeSettings.configured());
  }

  /** As above, decoding with the given settings rather than the process's. */
  public TarShardSource(Blobs blobs, String uri, boolean readLabels, boolean skipCorrupt,
      ImageGeometry geometry, long limit, DecodeSettings decoding) {
    this(blobs, uri, readLabels, skipCorrupt, geometry, limit, decoding, ReadAheadSettings.configured());
  }

  private TarShardSource(Blobs blobs, String uri, boolean readLabels, boolean skipCorrupt,
      ImageGeometry geometry, long limit, DecodeSettings decoding, ReadAheadSettings reading) {
    this.decoding = decoding;
    this.reading = reading;
    this.blobs = blobs;
    this.uri = uri;
    this.readLabels = readLabels;
    this.skipCorrupt = skipCorrupt;
    this.geometry = geometry;
    this.limit = limit;
  }

  /** The same source, reading its files with the given read-ahead rather than the process's. */
  public TarShardSource readingAhead(ReadAheadSettings settings) {
    return new TarShardSource(blobs, uri, readLabels, skipCorrupt, geometry, limit, decoding, settings);
  }

  @Override
  public String describe() {
    return uri;
  }

  @Override
  public ImageStream open(LongPredicate wanted) throws IOException {
    return decoded(new Stream(numbered(ShardFiles.list(blobs, uri, ".tar")), wanted, new CorruptImages(skipCorrupt)));
  }

  /** A pass over some of the files only, numbered as in the whole pool (a shard's slice). */
  @Override
  public ImageStream open(PoolManifest manifest, List<PoolManifest.PoolFile> files, LongPredicate wanted) {
    return decoded(new Stream(files, wanted, new CorruptImages(skipCorrupt)));
  }

  private ImageStream decoded(Stream stream) {
    return new DecodingStream(stream::nextImage, stream, geometry, stream.skipped, decoding);
  }

  /** The ordinal of sample {@code sample} (0-based) of file {@code file} in the pool's order. */
  static long ordinal(int file, long sample) {
    return ((long) file << SAMPLE_BITS) | sample;
  }

  private static List<PoolManifest.PoolFile> numbered(List<String> uris) {
    List<PoolManifest.PoolFile> files = new java.util.ArrayList<>(uris.size());
    for (String file : uris) {
      files.add(new PoolManifest.PoolFile(files.size(), file, -1));
    }
    return files;
  }

  @Override
  public void scanLabels(Sink sink) throws IOException {
    scanLabels(sink, Integer.MAX_VALUE);
  }

  /**
   * Labels of the first {@code maxShards} shards only; true when that was every shard. Image
   * bytes are not decoded but still pass through, so a preflight of a huge set reads a sample.
   */
  public boolean scanLabels(Sink sink, int maxShards) throws IOException {
    List<String> shards = ShardFiles.list(blobs, uri, ".tar");
    // No ordinal is wanted, so no image bytes are decoded: only headers and .cls members.
    try (Stream stream = new Stream(numbered(shards.subList(0, Math.min(maxShards, shards.size()))), ordinal -> false,
        new CorruptImages(skipCorrupt))) {
      Sample sample;
      while ((sample = stream.nextSample()) != null) {
        sink.label(sample.ordinal, sample.shard + ": member " + sample.key, sample.label());
      }
    }
    return shards.size() <= maxShards;
  }

  /** One key's members, as far as they have been read. */
  private final class Sample {
    final String shard;
    final String key;
    long ordinal = -1;
    boolean wanted;
    byte[] image;
    ImageRef ref;
    String cls;

    Sample(String shard, String key) {
      this.shard = shard;
      this.key = key;
    }

    boolean hasImage() {
      return ordinal >= 0;
    }

    int label() throws IOException {
      if (!readLabels || cls == null) {
        return ImageRecord.UNLABELED;
      }
      int label = parsedLabel();
      if (label >= 0) {
        return label;
      }
      if (skipCorrupt) {
        // A pool's labels are hidden labels, for reporting only: a bad one must not stop the pool.
        return ImageRecord.UNLABELED;
      }
      throw new BadDataException(shard + ": member " + Printable.of(key + ".cls") + " holds "
          + Printable.of("'" + cls.trim() + "'") + ", not a class number");
    }

    private int parsedLabel() {
      try {
        int label = Integer.parseInt(cls.trim());
        if (label >= 0) {
          return label;
        }
      } catch (NumberFormatException e) {
        // reported by the caller with the member's name
      }
      return -1;
    }
  }

  private final class Stream implements Closeable {
    private final List<PoolManifest.PoolFile> shards;
    private final FileSequence files;
    private final LongPredicate wanted;
    /** Where the pass counts images it skips: a duplicate here, an undecodable one in the decoding. */
    private final CorruptImages skipped;
    private int shardIndex = -1;
    private String shard;
    private TarMembers members;
    private TarArchiveEntry lookahead;
    private int fileIndex;
    private long sampleInFile;
    private long taken;

    Stream(List<PoolManifest.PoolFile> shards, LongPredicate wanted, CorruptImages skipped) {
      this.shards = shards;
      this.files = FileSequence.of(blobs,
          shards.stream().map(file -> new Blobs.Sized(file.uri(), file.bytes())).toList(), reading);
      this.wanted = wanted;
      this.skipped = skipped;
    }

    /** The next wanted image, read but not decoded; null at the end. */
    DecodingStream.EncodedImage nextImage() throws IOException {
      Sample sample;
      while ((sample = nextSample()) != null) {
        if (sample.wanted) {
          byte[] image = sample.image;
          long declared = sample.ref.length();
          // An image over the byte budget was not read; refusing it here skips and counts it in its place.
          return new DecodingStream.EncodedImage(() -> {
            ImageBytes.checkDeclared(declared);
            return image;
          }, sample.ordinal, sample.ref.toString(), sample.label(), sample.shard + ": member " + sample.key);
        }
      }
      return null;
    }

    /** The next sample with an image, its bytes read only when its ordinal is wanted; null at the end. */
    Sample nextSample() throws IOException {
      while (taken < limit) {
        if (members == null && !openNextShard()) {
          return null;
        }
        TarArchiveEntry entry = lookahead != null ? lookahead : members.next();
        lookahead = null;
        if (entry == null) {
          closeShard();
          continue;
        }
        String key = TarMembers.keyOf(entry.getName());
        Sample sample = new Sample(shard, key);
        // WebDataset writes a sample's members next to each other: the group ends at a new key.
        while (entry != null && key.equals(TarMembers.keyOf(entry.getName()))) {
          absorb(sample, entry);
          entry = members.next();
        }
        lookahead = entry;
        if (sample.hasImage()) {
          return sample;
        }
      }
      return null;
    }

    private void absorb(Sample sample, TarArchiveEntry entry) throws IOException {
      String extension = TarMembers.extensionOf(entry.getName());
      boolean image = extension.equals("jpg") || extension.equals("jpeg") || extension.equals("png");
      if (image && !sample.hasImage() && taken < limit) {
        if (sampleInFile >= 1L << SAMPLE_BITS) {
          throw new BadDataException(shard + ": more than " + (1L << SAMPLE_BITS) + " samples in one tar file");
        }
        sample.ordinal = ordinal(fileIndex, sampleInFile++);
        taken++;
        sample.wanted = wanted.test(sample.ordinal);
        // The reader stands at the member's data: its byte range locates the image for ranged reads.
        sample.ref = ImageRef.tarMember(shard, entry.getName(), members.offset(), entry.getSize());
        if (sample.wanted && entry.getSize() <= ImageBytes.MAX_BYTES) {
          sample.image = members.read(entry);
        }
      } else if (image && sample.hasImage() && sample.wanted) {
        // Counted by the pass that wants the sample, so shards splitting a file count it once.
        skipped.onDuplicate(shard + ": member " + entry.getName());
      } else if (extension.equals("cls") && readLabels) {
        sample.cls = new String(members.read(entry), StandardCharsets.UTF_8);
      }
    }

    private boolean openNextShard() throws IOException {
      if (++shardIndex >= shards.size()) {
        return false;
      }
      shard = shards.get(shardIndex).uri();
      fileIndex = shards.get(shardIndex).index();
      sampleInFile = 0;
      members = new TarMembers(shard, files.nextFile());
      return true;
    }

    private void closeShard() throws IOException {
      if (members != null) {
        members.close();
        members = null;
      }
    }

    @Override
    public void close() throws IOException {
      try (FileSequence closedLast = files) {
        closeShard();
      }
    }
  }
}
