package dev.semisup.worker.sampling;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Writes one inference shard's per-class top-K lists: {@code candidates/shard-SSSSS-of-NNNNN.bin}.
 *
 * <p>Format, big-endian (DataOutputStream):
 * <pre>
 * header   int magic "SSCS", int version (3), int classes, int k, int topP,
 *          long images scored, long images skipped (the infer shard's totals, see {@link ImageTotals})
 * index    classes x (long offset, int count), then long end
 *          offset: where the class's block starts, in bytes from the start of the file;
 *          end: the file's length, so that every block's length is known
 * blocks   class 0 first; each its entries best first (see CandidateEncoding),
 *          the pseudo-label implied by the block
 * </pre>
 * The index comes first because the object store gives forward-only streams: a reader that wants
 * one class skips to its offset without decoding the classes before it. The totals ride in the
 * header because select reads every header anyway: it needs no other object per shard for them.
 *
 * <p>Version 2, written by workers before the totals, is the same without the two longs (its class
 * 0 starts 16 bytes earlier). {@link CandidateShardReader} still reads it, with no totals, so a run
 * resumed across an upgrade keeps the shards its infer pods wrote; select then takes those shards'
 * totals from their progress files.
 */
public final class CandidateShardWriter {

  public static final int MAGIC = 0x53534353; // "SSCS": semisup candidate shard
  /** 2: entries carry the hidden label; 3: the header carries the shard's image totals. */
  public static final int VERSION = 3;
  static final int VERSION_WITHOUT_TOTALS = 2;

  static final int HEADER_BYTES = 5 * 4 + 2 * 8;
  static final int HEADER_BYTES_WITHOUT_TOTALS = 5 * 4;

  private CandidateShardWriter() {
  }

  /** The bytes of one candidate's entry in a shard (and, after its pseudo-label, in the sampled index). */
  public static int entryBytes(Candidate candidate) {
    return CandidateEncoding.size(candidate);
  }

  static long indexBytes(int classes) {
    return classes * 12L + 8;
  }

  /**
   * Writes the shard of an infer pass that scored and skipped {@code totals}; the caller owns and
   * closes the stream. Returns the bytes written.
   */
  public static long write(PerClassTopK topK, int topP, ImageTotals totals, OutputStream out) throws IOException {
    return write(out, topK.classes(), topK.k(), topP, totals, topK::sorted);
  }

  /**
   * Writes a shard from per-class lists, each best first, at most k long, with the class as
   * pseudo-label. Every list is asked for twice (sizes for the index, then the bytes), so the
   * source must give the same list both times.
   */
  public static long write(OutputStream out, int classes, int k, int topP, ImageTotals totals,
      IntFunction<List<Candidate>> sortedClass) throws IOException {
    if (classes < 1 || k < 1 || topP < 1) {
      throw new IllegalArgumentException("classes, k and topP must be positive: " + classes + ", " + k + ", " + topP);
    }
    Objects.requireNonNull(totals, "the shard's image totals");
    long[] offsets = new long[classes + 1];
    int[] counts = new int[classes];
    offsets[0] = HEADER_BYTES + indexBytes(classes);
    for (int cls = 0; cls < classes; cls++) {
      List<Candidate> entries = sortedClass.apply(cls);
      checkClass(entries, cls, classes, k, topP);
      long bytes = 0;
      for (Candidate candidate : entries) {
        bytes += CandidateEncoding.size(candidate);
      }
      counts[cls] = entries.size();
      offsets[cls + 1] = offsets[cls] + bytes;
    }

    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(MAGIC);
    data.writeInt(VERSION);
    data.writeInt(classes);
    data.writeInt(k);
    data.writeInt(topP);
    data.writeLong(totals.scored());
    data.writeLong(totals.skipped());
    for (int cls = 0; cls < classes; cls++) {
      data.writeLong(offsets[cls]);
      data.writeInt(counts[cls]);
    }
    data.writeLong(offsets[classes]);
    long written = offsets[0];
    for (int cls = 0; cls < classes; cls++) {
      List<Candidate> entries = sortedClass.apply(cls);
      for (Candidate candidate : entries) {
        written += CandidateEncoding.write(data, candidate);
      }
      if (entries.size() != counts[cls] || written != offsets[cls + 1]) {
        // The index is already written: a class that changed in between would make it lie.
        throw new IllegalStateException("class " + cls + " changed while its shard was written");
      }
    }
    data.flush();
    return written;
  }

  private static void checkClass(List<Candidate> entries, int cls, int classes, int k, int topP) {
    if (entries.size() > k) {
      throw new IllegalArgumentException("class " + cls + ": " + entries.size() + " candidates, more than top-K " + k);
    }
    Candidate previous = null;
    for (Candidate candidate : entries) {
      if (candidate.pseudoLabel() != cls) {
        throw new IllegalArgumentException(candidate + " listed under class " + cls);
      }
      CandidateEncoding.checkWritable(candidate, classes, topP);
      if (previous != null && Candidate.BETTER_FIRST.compare(previous, candidate) >= 0) {
        throw new IllegalArgumentException("class " + cls + " is not sorted best first at " + candidate);
      }
      previous = candidate;
    }
  }
}
