package dev.semisup.worker.model.card;

import dev.semisup.worker.data.Augmentation;
import dev.semisup.worker.data.decode.ImageDecoder;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.ImageRecord;
import java.io.IOException;

/**
 * Turns an image into the floats a carded model reads, exactly as training's evaluation did:
 * decoded as the data readers decode (JPEG possibly at a reduced size no smaller than the model's),
 * fitted to the card's geometry, normalised with its mean and std, no augmentation. The one
 * preprocessing of {@code semisup predict} and of the servable model's translator.
 */
public final class ModelInput {

  private final ImageGeometry geometry;
  private final Augmentation normalisation;

  public ModelInput(ModelCard card) {
    this.geometry = card.geometry();
    this.normalisation = card.preprocessing();
  }

  public int floatsPerImage() {
    return normalisation.floatsPerImage();
  }

  /** Decodes JPEG/PNG bytes and fits them to the model's geometry; corrupt bytes throw, naming {@code key}. */
  public ImageRecord decode(byte[] bytes, long ordinal, String key, int label) throws IOException {
    return geometry.fit(ImageDecoder.decodeAtLeast(bytes, ordinal, key, label, geometry.size()));
  }

  /** Writes the image's floats at {@code out[offset...]}; an image not yet fitted is fitted first. */
  public void write(ImageRecord image, float[] out, int offset) {
    normalisation.apply(geometry.fit(image), null, out, offset);
  }

  public ImageGeometry geometry() {
    return geometry;
  }
}
