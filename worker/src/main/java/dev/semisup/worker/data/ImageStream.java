package dev.semisup.worker.data;

import java.io.Closeable;
import java.io.IOException;

/** One pass over an {@link ImageSource}. */
public interface ImageStream extends Closeable {

  /** The next image, or null at the end. A corrupt file throws an IOException naming file and offset. */
  ImageRecord next() throws IOException;

  /** Images skipped because they could not be decoded (pools skip corrupt images, counted here). */
  default long skipped() {
    return 0;
  }

  /** Changes one image of a pass (a view's job); may throw to stop the pass. */
  @FunctionalInterface
  interface Mapping {
    ImageRecord apply(ImageRecord image) throws IOException;
  }

  /** This pass with every image passed through {@code mapping}; skipped() and close() stay this pass's. */
  default ImageStream map(Mapping mapping) {
    ImageStream source = this;
    return new ImageStream() {
      @Override
      public ImageRecord next() throws IOException {
        ImageRecord image = source.next();
        return image == null ? null : mapping.apply(image);
      }

      @Override
      public long skipped() {
        return source.skipped();
      }

      @Override
      public void close() throws IOException {
        source.close();
      }
    };
  }
}
