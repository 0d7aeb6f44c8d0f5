package dev.semisup.worker.data;

import dev.semisup.worker.data.formats.PoolManifest;
import java.io.IOException;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * A source made of many files (tar shards, a folder of images) that can read some of its files
 * only: an inference shard's slice of the pool manifest. Ordinals are those of a whole pass.
 */
public interface FileSlices {

  /**
   * A pass over {@code files} (some of {@code manifest}'s, in its order), keeping ordinals that
   * pass {@code wanted}; the manifest stands for the whole pool (e.g. its class folders).
   */
  ImageStream open(PoolManifest manifest, List<PoolManifest.PoolFile> files, LongPredicate wanted) throws IOException;
}
