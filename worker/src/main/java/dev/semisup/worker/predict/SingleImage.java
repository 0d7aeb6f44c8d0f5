package dev.semisup.worker.predict;

import dev.semisup.worker.data.decode.ImageBytes;
import dev.semisup.worker.data.decode.ImageDecoder;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.input.Printable;
import dev.semisup.worker.model.card.ModelInput;
import dev.semisup.worker.store.Blobs;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One JPEG/PNG file as a source of one image; bytes that do not decode are skipped and counted. */
final class SingleImage implements ImageSource {

  private static final Logger LOG = LoggerFactory.getLogger(SingleImage.class);

  private final Blobs blobs;
  private final String uri;
  private final ModelInput input;

  SingleImage(Blobs blobs, String uri, ModelInput input) {
    this.blobs = blobs;
    this.uri = uri;
    this.input = input;
  }

  @Override
  public ImageStream open(LongPredicate wanted) throws IOException {
    byte[] bytes;
    try {
      bytes = ImageBytes.ofFile(blobs, uri);
    } catch (ImageDecoder.CorruptImageException e) {
      // Over the byte budget, or a FIFO or device: skipped and counted, as a pool's would be.
      LOG.warn("{}: skipped, {}", Printable.of(uri), e.getMessage());
      return only(null, 1);
    } catch (FileNotFoundException e) {
      throw new PredictInputException(uri + " does not exist", e);
    }
    ImageRecord image;
    long skipped = 0;
    try {
      image = input.decode(bytes, 0, uri, ImageRecord.UNLABELED);
    } catch (IOException e) {
      LOG.warn("{}: skipped, not a decodable image ({})", Printable.of(uri), e.getMessage());
      image = null;
      skipped = 1;
    }
    return only(image, skipped);
  }

  private static ImageStream only(ImageRecord only, long skippedImages) {
    return new ImageStream() {
      boolean given;

      @Override
      public ImageRecord next() {
        if (given) {
          return null;
        }
        given = true;
        return only;
      }

      @Override
      public long skipped() {
        return skippedImages;
      }

      @Override
      public void close() {
      }
    };
  }

  @Override
  public String describe() {
    return uri;
  }
}
