package dev.semisup.worker.data.formats;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.LabelScan;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.store.Blobs;
import java.io.IOException;
import java.util.function.LongPredicate;

/**
 * MNIST / Fashion-MNIST IDX data: an idx3 images file (magic 0x00000803, count x rows x cols
 * unsigned bytes) and optionally an idx1 labels file (magic 0x00000801), each gzip or plain.
 * Without a labels file every image is {@link ImageRecord#UNLABELED}. Keys are
 * {@code <images file name>#<ordinal>}.
 */
public final class IdxSource implements ImageSource, LabelScan {

  public static final int IMAGES_MAGIC = 0x00000803;
  public static final int LABELS_MAGIC = 0x00000801;

  private final Blobs blobs;
  private final String imagesUri;
  private final String labelsUri;
  private final ImageGeometry geometry;
  private final long limit;

  /**
   * @param labelsUri the idx1 file, or null for unlabeled images
   * @param limit     read only the first {@code limit} images (Long.MAX_VALUE for all)
   */
  public IdxSource(Blobs blobs, String imagesUri, String labelsUri, ImageGeometry geometry, long limit) {
    this.blobs = blobs;
    this.imagesUri = imagesUri;
    this.labelsUri = labelsUri;
    this.geometry = geometry;
    this.limit = limit;
  }

  @Override
  public String describe() {
    return imagesUri;
  }

  @Override
  public ImageStream open(LongPredicate wanted) throws IOException {
    Header images = Header.read(BinaryInput.open(imagesUri, blobs.open(imagesUri)), IMAGES_MAGIC);
    Header labels;
    try {
      labels = labelsUri == null ? null : openLabels(images.count);
    } catch (IOException | RuntimeException e) {
      images.input.close();
      throw e;
    }
    return new Stream(images, labels, wanted);
  }

  /**
   * Reads the images file through without keeping a pixel (a truncated file fails here, naming
   * the offset) and returns its image count, up to the limit.
   */
  public long verifyImages() throws IOException {
    try (BinaryInput input = BinaryInput.open(imagesUri, blobs.open(imagesUri))) {
      Header header = Header.read(input, IMAGES_MAGIC);
      long count = Math.min(limit, header.count);
      input.skip(count * header.rows * header.cols, header.count + " images of " + header.rows + "x" + header.cols);
      return count;
    }
  }

  @Override
  public void scanLabels(Sink sink) throws IOException {
    long imageCount;
    try (BinaryInput input = BinaryInput.open(imagesUri, blobs.open(imagesUri))) {
      imageCount = Header.read(input, IMAGES_MAGIC).count;
    }
    long end = Math.min(limit, imageCount);
    if (labelsUri == null) {
      for (long ordinal = 0; ordinal < end; ordinal++) {
        sink.label(ordinal, ImageRecord.UNLABELED);
      }
      return;
    }
    // Only the labels file is read: the images stay compressed on the store.
    try (BinaryInput input = openLabels(imageCount).input) {
      for (long ordinal = 0; ordinal < end; ordinal++) {
        int label = input.read(imageCount + " labels");
        if (label < 0) {
          throw input.truncated(imageCount + " labels");
        }
        sink.label(ordinal, label);
      }
    }
  }

  /** Opens the labels file, whose count must match the images file's. */
  private Header openLabels(long imageCount) throws IOException {
    Header labels = Header.read(BinaryInput.open(labelsUri, blobs.open(labelsUri)), LABELS_MAGIC);
    if (labels.count != imageCount) {
      labels.input.close();
      throw new BadDataException(labelsUri + ": " + labels.count + " labels for " + imageCount + " images in " + imagesUri);
    }
    return labels;
  }

  /** The header of an IDX file; the input is left at the first record. */
  private record Header(BinaryInput input, long count, int rows, int cols) {

    static Header read(BinaryInput input, int expectedMagic) throws IOException {
      try {
        int magic = input.readInt("an IDX header");
        if (magic != expectedMagic) {
          throw input.corrupt(0, String.format("magic 0x%08x is not an IDX %s file (0x%08x)", magic,
              expectedMagic == IMAGES_MAGIC ? "images" : "labels", expectedMagic));
        }
        int dimensions = expectedMagic & 0xff;
        long count = dimension(input, "an IDX header");
        int rows = dimensions == 3 ? dimension(input, "an IDX header") : 1;
        int cols = dimensions == 3 ? dimension(input, "an IDX header") : 1;
        return new Header(input, count, rows, cols);
      } catch (IOException e) {
        input.close();
        throw e;
      }
    }

    private static int dimension(BinaryInput input, String expected) throws IOException {
      long at = input.offset();
      int value = input.readInt(expected);
      if (value <= 0) {
        throw input.corrupt(at, "dimension " + Integer.toUnsignedString(value) + " is not a positive size");
      }
      return value;
    }
  }

  private final class Stream implements ImageStream {
    private final Header images;
    private final Header labels;
    private final LongPredicate wanted;
    private final long end;
    private final int pixelCount;
    private final String name;
    private long ordinal;

    Stream(Header images, Header labels, LongPredicate wanted) {
      this.images = images;
      this.labels = labels;
      this.wanted = wanted;
      this.end = Math.min(limit, images.count);
      this.pixelCount = images.rows * images.cols;
      this.name = imagesUri.substring(imagesUri.lastIndexOf('/') + 1);
    }

    @Override
    public ImageRecord next() throws IOException {
      while (ordinal < end) {
        long current = ordinal++;
        if (!wanted.test(current)) {
          images.input.skip(pixelCount, expectedImages());
          if (labels != null) {
            labels.input.skip(1, expectedLabels());
          }
          continue;
        }
        byte[] pixels = new byte[pixelCount];
        images.input.readFully(pixels, 0, pixelCount, expectedImages());
        int label = ImageRecord.UNLABELED;
        if (labels != null) {
          label = labels.input.read(expectedLabels());
          if (label < 0) {
            throw labels.input.truncated(expectedLabels());
          }
        }
        return geometry.fit(new ImageRecord(current, name + "#" + current, label, 1, images.rows, images.cols, pixels));
      }
      return null;
    }

    private String expectedImages() {
      return images.count + " images of " + images.rows + "x" + images.cols;
    }

    private String expectedLabels() {
      return images.count + " labels";
    }

    @Override
    public void close() throws IOException {
      try {
        images.input.close();
      } finally {
        if (labels != null) {
          labels.input.close();
        }
      }
    }
  }
}
