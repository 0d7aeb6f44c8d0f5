package dev.semisup.worker.stages.infer;

import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.model.PixelBatch;
import dev.semisup.worker.model.ReplicatedScoring;
import dev.semisup.worker.progress.ProgressReporter;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.PerClassTopK;
import java.io.IOException;
import java.util.Arrays;

/**
 * The teacher over batches of pool images, feeding the heaps; a batch ends with its stream.
 * Batches are scored by the replicas and offered to the heaps in the order they were cut, so the
 * candidates do not depend on the number of devices. Images go to the model as 8-bit pixels and
 * are normalised there; while a batch is scored the next is read and decoded (the replicas score
 * on their own threads), so the device waits for the host only where decoding is slower than
 * scoring, and the pass holds a fixed number of batches ({@link ReplicatedScoring}).
 */
final class PoolScoring {
  private final ReplicatedScoring replicas;
  final PerClassTopK topK;
  private final ProgressReporter progress;
  private final ImageGeometry geometry;
  private final int classes;
  private final int topP;
  private final long[] ordinals;
  private final String[] keys;
  private final int[] hiddenLabels;
  private final long started = System.nanoTime();
  private int lastHidden = Candidate.NO_HIDDEN_LABEL;
  long scored;
  long skipped;

  PoolScoring(ReplicatedScoring replicas, PerClassTopK topK, ProgressReporter progress, ImageGeometry geometry,
      int classes, int topP) {
    this.replicas = replicas;
    this.topK = topK;
    this.progress = progress;
    this.geometry = geometry;
    this.classes = classes;
    this.topP = topP;
    int batch = replicas.batch().capacity();
    this.ordinals = new long[batch];
    this.keys = new String[batch];
    this.hiddenLabels = new int[batch];
  }

  /** The pool's hidden label of the image read next (pools that carry one; for the paper's precision). */
  void hidden(long ordinal, int label) {
    lastHidden = label;
  }

  void scoreAll(ImageStream stream) throws IOException {
    for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
      if (!geometry.matches(image)) {
        throw new IllegalArgumentException("image " + image.key() + " is " + image.channels() + "x" + image.height()
            + "x" + image.width() + ", the teacher takes " + geometry.channels() + "x" + geometry.size() + "x"
            + geometry.size());
      }
      PixelBatch batch = replicas.batch();
      int at = batch.count();
      batch.add(image.pixels());
      ordinals[at] = image.ordinal();
      hiddenLabels[at] = lastHidden;
      keys[at] = image.key();
      if (batch.full()) {
        flush();
      }
    }
    flush();
  }

  /** Submits the batch being filled; its candidates reach the heaps once it is scored. */
  private void flush() {
    int n = replicas.batch().count();
    if (n == 0) {
      return;
    }
    long[] batchOrdinals = Arrays.copyOf(ordinals, n);
    String[] batchKeys = Arrays.copyOf(keys, n);
    int[] batchHidden = Arrays.copyOf(hiddenLabels, n);
    replicas.score(probabilities -> offer(probabilities, n, batchOrdinals, batchKeys, batchHidden));
  }

  private void offer(float[] probabilities, int n, long[] batchOrdinals, String[] batchKeys, int[] batchHidden) {
    for (int i = 0; i < n; i++) {
      topK.offer(batchOrdinals[i], batchKeys[i], Arrays.copyOfRange(probabilities, i * classes, (i + 1) * classes), topP,
          batchHidden[i]);
    }
    scored += n;
    progress.skippedImages(skipped);
    progress.images(scored, 0, rate(), null);
  }

  /** Every batch cut so far is in the heaps once this returns. */
  void awaitInFlight() {
    replicas.finish();
  }

  double rate() {
    return scored / Math.max((System.nanoTime() - started) / 1e9, 1e-9);
  }

  void finish() {
    progress.skippedImages(skipped);
    progress.finish(scored, scored, rate());
  }
}
