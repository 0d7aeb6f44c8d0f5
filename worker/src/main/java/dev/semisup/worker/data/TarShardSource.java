package dev.semisup.worker.data;

import dev.semisup.worker.store.Blobs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongPredicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * WebDataset-style tar shards: members that share a key (the member name up to the first '.' of
 * its base name) are one sample; {@code key.jpg|jpeg|png} is the image and an optional
 * {@code key.cls} holds the class number as text. Samples without an image are passed over and
 * get no ordinal. The URI is one .tar file or a folder of them, read in sorted order with ordinals
 * running on across shards. Keys are {@code <shard file name>/<sample key>}.
 */
public final class TarShardSource implements ImageSource, LabelScan {

  private final Blobs blobs;
  private final String uri;
  private final boolean readLabels;
  private final boolean skipCorrupt;
  private final ImageGeometry geometry;
  private final long limit;

  /**
   * @param readLabels  false for a pool: .cls members are not read, images come UNLABELED
   * @param skipCorrupt skip (and count) undecodable images instead of failing
   */
  public TarShardSource(Blobs blobs, String uri, boolean readLabels, boolean skipCorrupt,
      ImageGeometry geometry, long limit) {
    this.blobs = blobs;
    this.uri = uri;
    this.readLabels = readLabels;
    this.skipCorrupt = skipCorrupt;
    this.geometry = geometry;
    this.limit = limit;
  }

  @Override
  public String describe() {
    return uri;
  }

  @Override
  public ImageStream open(LongPredicate wanted) throws IOException {
    return new Stream(ShardFiles.list(blobs, uri, ".tar"), wanted);
  }

  @Override
  public void scanLabels(Sink sink) throws IOException {
    // No ordinal is wanted, so no image bytes are read: only headers and .cls members.
    try (Stream stream = new Stream(ShardFiles.list(blobs, uri, ".tar"), ordinal -> false)) {
      Sample sample;
      while ((sample = stream.nextSample()) != null) {
        sink.label(sample.ordinal, sample.label());
      }
    }
  }

  /** One key's members, as far as they have been read. */
  private final class Sample {
    final String shard;
    final String key;
    long ordinal = -1;
    boolean wanted;
    byte[] image;
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
      try {
        int label = Integer.parseInt(cls.trim());
        if (label >= 0) {
          return label;
        }
      } catch (NumberFormatException e) {
        // reported below with the member's name
      }
      throw new IOException(shard + ": member " + key + ".cls holds '" + cls.trim() + "', not a class number");
    }
  }

  private final class Stream implements ImageStream {
    private final List<String> shards;
    private final LongPredicate wanted;
    private final CorruptImages corrupt = new CorruptImages(skipCorrupt);
    private int shardIndex = -1;
    private TarMembers members;
    private TarArchiveEntry lookahead;
    private long nextOrdinal;

    Stream(List<String> shards, LongPredicate wanted) {
      this.shards = shards;
      this.wanted = wanted;
    }

    @Override
    public ImageRecord next() throws IOException {
      Sample sample;
      while ((sample = nextSample()) != null) {
        if (!sample.wanted) {
          continue;
        }
        String key = ShardFiles.name(sample.shard) + "/" + sample.key;
        try {
          return geometry.fit(ImageDecoder.decode(sample.image, sample.ordinal, key, sample.label()));
        } catch (ImageDecoder.CorruptImageException e) {
          corrupt.onCorrupt(sample.shard + ": member " + sample.key, e);
        }
      }
      return null;
    }

    @Override
    public long skipped() {
      return corrupt.skipped();
    }

    /** The next sample with an image, its bytes read only when its ordinal is wanted; null at the end. */
    Sample nextSample() throws IOException {
      while (nextOrdinal < limit) {
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
        Sample sample = new Sample(members.shard(), key);
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
      if (image && !sample.hasImage() && nextOrdinal < limit) {
        sample.ordinal = nextOrdinal++;
        sample.wanted = wanted.test(sample.ordinal);
        if (sample.wanted) {
          sample.image = members.read(entry);
        }
      } else if (extension.equals("cls") && readLabels) {
        sample.cls = new String(members.read(entry), StandardCharsets.UTF_8);
      }
    }

    private boolean openNextShard() throws IOException {
      if (++shardIndex >= shards.size()) {
        return false;
      }
      String shard = shards.get(shardIndex);
      members = new TarMembers(shard, blobs.open(shard));
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
      closeShard();
    }
  }
}
