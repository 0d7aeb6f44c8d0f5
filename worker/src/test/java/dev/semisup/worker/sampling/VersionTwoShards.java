package dev.semisup.worker.sampling;

import java.nio.ByteBuffer;

/**
 * Candidate shards as a worker of shard version 2 wrote them (before headers carried the image
 * totals), made from a current shard's bytes: for tests of runs resumed across an upgrade.
 * {@code CandidateShardsTest} checks the result against a shard the version-2 writer wrote.
 */
public final class VersionTwoShards {

  private static final int TOTALS_BYTES = CandidateShardWriter.HEADER_BYTES - CandidateShardWriter.HEADER_BYTES_WITHOUT_TOTALS;

  private VersionTwoShards() {
  }

  /** The same classes and entries in version 2: no totals, every offset of the index moved back by their bytes. */
  public static byte[] of(byte[] shard) {
    ByteBuffer current = ByteBuffer.wrap(shard);
    if (current.getInt(0) != CandidateShardWriter.MAGIC || current.getInt(4) != CandidateShardWriter.VERSION) {
      throw new IllegalArgumentException("not a candidate shard of version " + CandidateShardWriter.VERSION);
    }
    int classes = current.getInt(8);
    ByteBuffer old = ByteBuffer.allocate(shard.length - TOTALS_BYTES);
    old.put(shard, 0, CandidateShardWriter.HEADER_BYTES_WITHOUT_TOTALS);
    old.putInt(4, CandidateShardWriter.VERSION_WITHOUT_TOTALS);
    current.position(CandidateShardWriter.HEADER_BYTES);
    for (int cls = 0; cls < classes; cls++) {
      old.putLong(current.getLong() - TOTALS_BYTES);
      old.putInt(current.getInt());
    }
    old.putLong(current.getLong() - TOTALS_BYTES);
    old.put(shard, current.position(), shard.length - current.position());
    return old.array();
  }
}
