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
}
