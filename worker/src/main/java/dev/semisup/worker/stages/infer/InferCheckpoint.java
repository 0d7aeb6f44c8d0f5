package dev.semisup.worker.stages.infer;

import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.CandidateShardReader;
import dev.semisup.worker.sampling.CandidateShardWriter;
import dev.semisup.worker.sampling.ImageTotals;
import dev.semisup.worker.sampling.PerClassTopK;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A running infer shard's state at a file boundary: how many files of its slice are scored, the
 * counts so far, and its per-class heaps (as a candidate shard). A restarted pod loads it and
 * goes on with the next file, so it re-scores at most the files since the last checkpoint; the
 * heaps' sorted lists are those the shard had, so its output equals an uninterrupted shard's.
 *
 * <p>Format, big-endian: int magic "SSCK", int version (1), int shard, int shards, int filesDone,
 * long scored, long skipped, long offered, then a candidate shard ({@link CandidateShardWriter}).
 * The counts are read from the checkpoint's own fields, not the shard's header: a checkpoint
 * written by a worker of shard version 2 has none there.
 */
record InferCheckpoint(int shard, int shards, int filesDone, long scored, long skipped, PerClassTopK topK) {

  static final int MAGIC = 0x5353434b; // "SSCK": semisup candidate checkpoint
  static final int VERSION = 1;

  void write(OutputStream stream, int topP) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(shard);
    out.writeInt(shards);
    out.writeInt(filesDone);
    out.writeLong(scored);
    out.writeLong(skipped);
    out.writeLong(topK.offered());
    CandidateShardWriter.write(topK, topP, new ImageTotals(scored, skipped), out);
    out.flush();
  }

  /** Reads a checkpoint; {@code name} (its URI) is named in every error. */
  static InferCheckpoint read(InputStream stream, String name, boolean unbalanced) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    try {
      if (in.readInt() != MAGIC || in.readInt() != VERSION) {
        throw new IOException(name + ": not an infer checkpoint of this worker's version");
      }
      int shard = in.readInt();
      int shards = in.readInt();
      int filesDone = in.readInt();
      long scored = in.readLong();
      long skipped = in.readLong();
      long offered = in.readLong();
      CandidateShardReader heaps = CandidateShardReader.open(in, name);
      // An unbalanced shard records its global bound (K x classes) as its k.
      PerClassTopK topK = unbalanced ? PerClassTopK.unbalanced(heaps.classes(), heaps.k() / heaps.classes())
          : new PerClassTopK(heaps.classes(), heaps.k());
      for (int cls = 0; cls < heaps.classes(); cls++) {
        CandidateShardReader.ClassEntries entries = heaps.openClass(cls);
        for (Candidate entry = entries.next(); entry != null; entry = entries.next()) {
          topK.restore(entry);
        }
      }
      topK.restoreOffered(offered);
      return new InferCheckpoint(shard, shards, filesDone, scored, skipped, topK);
    } catch (EOFException e) {
      throw new IOException(name + ": truncated infer checkpoint", e);
    }
  }
}
