package dev.semisup.worker.model;

import dev.semisup.api.v1alpha1.DataSpec;

/** What a model sees and predicts: channels x size x size images into {@code classes} scores. */
public record ModelShape(int channels, int size, int classes) {

  public static ModelShape of(DataSpec data) {
    return new ModelShape(data.resolvedChannels(), data.resolvedImageSize(), data.getClasses());
  }

  public int pixels() {
    return channels * size * size;
  }
}
