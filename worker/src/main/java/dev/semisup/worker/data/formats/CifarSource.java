package dev.semisup.worker.data.formats;

import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.LabelScan;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.input.InvalidSettingException;
import dev.semisup.worker.store.Blobs;
import java.io.IOException;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * CIFAR-10/100 binary batches: records of label byte(s) then 3072 pixels (1024 red, 1024 green,
 * 1024 blue, row-major 32x32, already channel-major). CIFAR-10 has one label byte; CIFAR-100 has
 * coarse then fine, and the fine label is the class. Which one follows {@code data.classes}, since
 * the files themselves do not say. The URI is one .bin file or a folder of them, read in sorted
 * order with ordinals running on across files. Keys are {@code <file name>#<record in file>}.
 */
public final class CifarSource implements ImageSource, LabelScan {

  private static final int SIDE = 32;
  private static final int PIXELS = 3 * SIDE * SIDE;

  private final Blobs blobs;
  private final String uri;
  private final int labelBytes;
  private final int classes;
  private final boolean readLabels;
  private final ImageGeometry geometry;
  private final long limit;

  /**
   * @param classes    10 (CIFAR-10) or 100 (CIFAR-100)
   * @param readLabels false for a pool: records come UNLABELED
   */
  public CifarSource(Blobs blobs, String uri, int classes, boolean readLabels, ImageGeometry geometry, long limit) {
    if (classes != 10 && classes != 100) {
      throw new InvalidSettingException("data.classes: cifar data has 10 or 100 classes, not " + classes + " (" + uri + ")");
    }
    this.blobs = blobs;
    this.uri = uri;
    this.classes = classes;
    this.labelBytes = classes == 10 ? 1 : 2;
    this.readLabels = readLabels;
    this.geometry = geometry;
    this.limit = limit;
  }

  @Override
  public String describe() {
    return uri;
  }

  @Override
  public ImageStream open(LongPredicate wanted) throws IOException {
    return new Stream(ShardFiles.list(blobs, uri, ".bin"), wanted, false);
  }

  @Override
  public void scanLabels(Sink sink) throws IOException {
    try (Stream stream = new Stream(ShardFiles.list(blobs, uri, ".bin"), ordinal -> false, true)) {
      while (stream.advance()) {
        sink.label(stream.ordinal - 1, readLabels ? stream.label : ImageRecord.UNLABELED);
      }
    }
  }

  private final class Stream implements ImageStream {
    private final List<String> files;
    private final LongPredicate wanted;
    private final boolean labelsOnly;
    private final byte[] header = new byte[labelBytes];
    private int fileIndex = -1;
    private BinaryInput input;
    private String fileName;
    private long recordInFile;
    private long ordinal;
    private int label;

    Stream(List<String> files, LongPredicate wanted, boolean labelsOnly) {
      this.files = files;
      this.wanted = wanted;
      this.labelsOnly = labelsOnly;
    }

    @Override
    public ImageRecord next() throws IOException {
      while (advance()) {
        long current = ordinal - 1;
        if (!wanted.test(current)) {
          input.skip(PIXELS, expected());
          continue;
        }
        byte[] pixels = new byte[PIXELS];
        input.readFully(pixels, 0, PIXELS, expected());
        String key = fileName + "#" + (recordInFile - 1);
        return geometry.fit(new ImageRecord(current, key, readLabels ? label : ImageRecord.UNLABELED, 3, SIDE, SIDE, pixels));
      }
      return null;
    }

    /**
     * Reads the label byte(s) of the next record, leaving the input at its pixels; false at the
     * end. In labels-only mode the previous record's pixels are skipped first.
     */
    boolean advance() throws IOException {
      if (labelsOnly && input != null && recordInFile > 0) {
        input.skip(PIXELS, expected());
      }
      while (ordinal < limit) {
        if (input == null && !openNextFile()) {
          return false;
        }
        long start = input.offset();
        int first = input.read(expected());
        if (first < 0) {
          input.close();
          input = null;
          continue;
        }
        header[0] = (byte) first;
        input.readFully(header, 1, labelBytes - 1, expected());
        label = header[labelBytes - 1] & 0xff;
        if (label >= classes) {
          throw input.corrupt(start, "label " + label + " is not a CIFAR-" + classes + " class (0.." + (classes - 1) + ")");
        }
        ordinal++;
        recordInFile++;
        return true;
      }
      return false;
    }

    private boolean openNextFile() throws IOException {
      if (++fileIndex >= files.size()) {
        return false;
      }
      String file = files.get(fileIndex);
      input = BinaryInput.open(file, blobs.open(file));
      fileName = ShardFiles.name(file);
      recordInFile = 0;
      return true;
    }

    private String expected() {
      return "CIFAR-" + classes + " records of " + (labelBytes + PIXELS) + " bytes";
    }

    @Override
    public void close() throws IOException {
      if (input != null) {
        input.close();
        input = null;
      }
    }
  }
}
