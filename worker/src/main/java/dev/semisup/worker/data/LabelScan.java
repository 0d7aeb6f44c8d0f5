package dev.semisup.worker.data;

import java.io.IOException;

/**
 * A source that can list its labels without decoding a single image: the labels file of IDX data,
 * the label bytes of CIFAR records, the .cls members of tar shards, the class folders of a folder.
 * Choosing a seeded per-class subset of ImageNet-sized sets then costs one cheap pass, not a decode
 * of every JPEG.
 */
public interface LabelScan {

  /** Receives every image's label in source order, {@link ImageRecord#UNLABELED} when unknown. */
  @FunctionalInterface
  interface Sink {
    void label(long ordinal, int label) throws IOException;

    /** The same, with the image's key (shard member, file) where the source knows it without decoding. */
    default void label(long ordinal, String key, int label) throws IOException {
      label(ordinal, label);
    }
  }

  /** One pass over all images (up to the source's limit), in ordinal order. */
  void scanLabels(Sink sink) throws IOException;
}
