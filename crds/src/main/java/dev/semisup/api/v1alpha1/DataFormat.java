package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** On-disk layouts the worker reads. */
public enum DataFormat {
  /** MNIST/Fashion-MNIST IDX files, gzip-compressed or plain; labels in a second file. */
  @JsonProperty("idx") IDX,
  /** CIFAR-10/100 binary batches; the label layout follows data.classes (10 or 100). */
  @JsonProperty("cifar") CIFAR,
  /** WebDataset-style tar shards: key.jpg or key.png with key.cls holding the class number. */
  @JsonProperty("tar") TAR,
  /** One folder per class (sorted names are class 0, 1, ...); for a pool, any tree of images. */
  @JsonProperty("folder") FOLDER;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
