package dev.semisup.worker.sampling;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a candidate shard written by {@link CandidateShardWriter}, one class at a time, forward
 * only (the object store gives plain streams): opening a class skips the bytes of the classes
 * before it, so only the class being merged is ever in memory.
 *
 * <p>Every problem with the file is an IOException naming the file (the name the caller gives)
 * and the byte where it went wrong: wrong magic, unknown version, a truncated file, entries that
 * do not fit the index or are not sorted best first.
 */
public final class CandidateShardReader implements Closeable {

  private final String name;
  private final PositionedInput position;
  private final DataInputStream in;
  private final int classes;
  private final int k;
  private final int topP;
  private final long[] offsets; // classes + 1: the last is the file's length
  private final int[] counts;
  private int nextClass;
  private ClassEntries current;

  private CandidateShardReader(String name, PositionedInput position, int classes, int k, int topP,
      long[] offsets, int[] counts) {
    this.name = name;
    this.position = position;
    this.in = new DataInputStream(position);
    this.classes = classes;
    this.k = k;
    this.topP = topP;
    this.offsets = offsets;
    this.counts = counts;
  }

  /** Reads the header and the class index; {@code name} is used in messages (the object key). */
  public static CandidateShardReader open(InputStream stream, String name) throws IOException {
    PositionedInput position = new PositionedInput(stream);
    DataInputStream in = new DataInputStream(position);
    try {
      int magic = in.readInt();
      if (magic != CandidateShardWriter.MAGIC) {
        throw new IOException(name + ": not a candidate shard (magic " + Magic.describe(magic)
            + ", expected " + Magic.describe(CandidateShardWriter.MAGIC) + ")");
      }
      int version = in.readInt();
      if (version != CandidateShardWriter.VERSION) {
        throw new IOException(name + ": candidate shard version " + version + ", this worker reads version "
            + CandidateShardWriter.VERSION);
      }
      int classes = in.readInt();
      int k = in.readInt();
      int topP = in.readInt();
      if (classes < 1 || classes > CandidateEncoding.MAX_CLASSES || k < 1 || topP < 1 || topP > classes) {
        throw new IOException(name + ": corrupt header (classes " + classes + ", k " + k + ", topP " + topP + ")");
      }
      long[] offsets = new long[classes + 1];
      int[] counts = new int[classes];
      for (int cls = 0; cls < classes; cls++) {
        offsets[cls] = in.readLong();
        counts[cls] = in.readInt();
      }
      offsets[classes] = in.readLong();
      checkIndex(name, offsets, counts, k);
      return new CandidateShardReader(name, position, classes, k, topP, offsets, counts);
    } catch (EOFException e) {
      throw new IOException(name + ": truncated in the header or class index at byte " + position.position(), e);
    }
  }

  private static void checkIndex(String name, long[] offsets, int[] counts, int k) throws IOException {
    int classes = counts.length;
    long first = CandidateShardWriter.HEADER_BYTES + CandidateShardWriter.indexBytes(classes);
    if (offsets[0] != first) {
      throw new IOException(name + ": corrupt class index: class 0 starts at " + offsets[0] + ", not " + first);
    }
    for (int cls = 0; cls < classes; cls++) {
      if (counts[cls] < 0 || counts[cls] > k) {
        throw new IOException(name + ": corrupt class index: class " + cls + " has " + counts[cls]
            + " candidates (top-K is " + k + ")");
      }
      if (offsets[cls + 1] < offsets[cls]) {
        throw new IOException(name + ": corrupt class index: class " + (cls + 1) + " starts before class " + cls);
      }
    }
  }

  public String name() {
    return name;
  }

  public int classes() {
    return classes;
  }

  public int k() {
    return k;
  }

  public int topP() {
    return topP;
  }

  /** Candidates of one class in this shard, from the index. */
  public int count(int cls) {
    checkClass(cls);
    return counts[cls];
  }

  /** Candidates of all classes in this shard, from the index. */
  public long total() {
    long total = 0;
    for (int count : counts) {
      total += count;
    }
    return total;
  }

  /**
   * Opens one class's entries. Classes must be opened in increasing order; the entries of the
   * class opened before, read or not, are skipped.
   */
  public ClassEntries openClass(int cls) throws IOException {
    checkClass(cls);
    if (cls < nextClass) {
      throw new IllegalStateException(name + ": class " + cls + " opened after class " + (nextClass - 1)
          + "; a shard is read forward only");
    }
    if (current != null) {
      current.closed = true;
    }
    long skip = offsets[cls] - position.position();
    if (skip < 0) {
      throw new IOException(name + ": corrupt: byte " + position.position() + " is past the start of class " + cls);
    }
    try {
      position.skipNBytes(skip);
    } catch (EOFException e) {
      throw new IOException(name + ": truncated before class " + cls + " at byte " + position.position()
          + " (the index says it starts at " + offsets[cls] + ")", e);
    }
    nextClass = cls + 1;
    current = new ClassEntries(cls);
    return current;
  }

  /** All entries of one class, best first. */
  public List<Candidate> readClass(int cls) throws IOException {
    ClassEntries entries = openClass(cls);
    List<Candidate> list = new ArrayList<>(entries.remaining());
    for (Candidate c = entries.next(); c != null; c = entries.next()) {
      list.add(c);
    }
    return list;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private void checkClass(int cls) {
    if (cls < 0 || cls >= classes) {
      throw new IndexOutOfBoundsException(name + ": class " + cls + " outside 0.." + (classes - 1));
    }
  }

  /** The entries of one class, best first, read as they are asked for. */
  public final class ClassEntries {

    private final int cls;
    private int read;
    private Candidate previous;
    private boolean closed;

    private ClassEntries(int cls) {
      this.cls = cls;
    }

    public int pseudoLabel() {
      return cls;
    }

    public int remaining() {
      return counts[cls] - read;
    }

    /** The next entry, or null after the last. */
    public Candidate next() throws IOException {
      if (closed) {
        throw new IllegalStateException(name + ": class " + cls + " was left for a later class");
      }
      long end = offsets[cls + 1];
      if (read == counts[cls]) {
        if (position.position() != end) {
          throw new IOException(name + ": corrupt: class " + cls + " ends at byte " + position.position()
              + ", the index says " + end);
        }
        return null;
      }
      String where = name + " class " + cls + " entry " + read;
      Candidate candidate;
      try {
        candidate = CandidateEncoding.read(in, cls, classes, topP, where);
      } catch (EOFException e) {
        throw new IOException(name + ": truncated in class " + cls + " entry " + read + " at byte "
            + position.position(), e);
      }
      if (position.position() > end) {
        throw new IOException(where + ": corrupt: runs past the end of the class at byte " + end);
      }
      if (previous != null && Candidate.BETTER_FIRST.compare(previous, candidate) >= 0) {
        throw new IOException(where + ": corrupt: not sorted best first");
      }
      previous = candidate;
      read++;
      return candidate;
    }
  }
}
