package dev.semisup.worker.sampling;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a candidate shard written by {@link CandidateShardWriter}, one class at a time, so only
 * the class being merged is ever in memory. Opened on one stream, it reads forward only: opening
 * a class skips the bytes of the classes before it (over S3 those bytes still cross the network).
 * Opened on {@link ByteRanges}, it reads the header and class index, then only the bytes of each
 * class that are asked for, in ranged reads of bounded size (see {@link #openClass(int, int, int)}).
 * It reads the current version and version 2, which has no image totals (see the writer's format).
 *
 * <p>Every problem with the file is an IOException naming the file (the name the caller gives)
 * and the byte where it went wrong: wrong magic, unknown version, a truncated file, entries that
 * do not fit the index or are not sorted best first.
 */
public final class CandidateShardReader implements Closeable {

  /** The most bytes one ranged read of a class fetches, and so holds in memory per shard. */
  static final int MAX_RANGE_BYTES = 8 << 20;

  /** Byte ranges of one object (ranged GETs); fewer bytes than asked come back past its end. */
  @FunctionalInterface
  public interface ByteRanges {
    InputStream open(long offset, long length) throws IOException;
  }

  private final String name;
  /** Forward-only mode: the one stream; null when reading ranges. */
  private final PositionedInput position;
  private final DataInputStream in;
  /** Ranged mode: where each class's bytes come from; null when reading one stream. */
  private final ByteRanges ranges;
  private final int classes;
  private final int k;
  private final int topP;
  private final ImageTotals totals;
  private final long[] offsets; // classes + 1: the last is the file's length
  private final int[] counts;
  private int nextClass;
  private ClassEntries current;

  private CandidateShardReader(String name, PositionedInput position, ByteRanges ranges, Header header,
      long[] offsets, int[] counts) {
    this.name = name;
    this.position = position;
    this.in = position == null ? null : new DataInputStream(position);
    this.ranges = ranges;
    this.classes = header.classes();
    this.k = header.k();
    this.topP = header.topP();
    this.totals = header.totals();
    this.offsets = offsets;
    this.counts = counts;
  }

  /** Reads the header and the class index; {@code name} is used in messages (the object key). */
  public static CandidateShardReader open(InputStream stream, String name) throws IOException {
    PositionedInput position = new PositionedInput(stream);
    DataInputStream in = new DataInputStream(position);
    try {
      Header header = readHeader(in, name);
      long[] offsets = new long[header.classes() + 1];
      int[] counts = new int[header.classes()];
      readIndex(in, offsets, counts, name, header);
      return new CandidateShardReader(name, position, null, header, offsets, counts);
    } catch (EOFException e) {
      throw new IOException(name + ": truncated in the header or class index at byte " + position.position(), e);
    }
  }

  /**
   * Reads the header and the class index in two ranged reads; the classes' entries are read when
   * asked for, each by ranges of its own, so that nothing is read that the caller does not use.
   */
  public static CandidateShardReader open(ByteRanges ranges, String name) throws IOException {
    Header header;
    // The current header's length: a version-2 header is shorter, and the rest of the range unused.
    try (PositionedInput position = new PositionedInput(ranges.open(0, CandidateShardWriter.HEADER_BYTES))) {
      try {
        header = readHeader(new DataInputStream(position), name);
      } catch (EOFException e) {
        throw new IOException(name + ": truncated in the header at byte " + position.position(), e);
      }
    }
    long[] offsets = new long[header.classes() + 1];
    int[] counts = new int[header.classes()];
    long indexBytes = CandidateShardWriter.indexBytes(header.classes());
    try (PositionedInput position = new PositionedInput(ranges.open(header.bytes(), indexBytes), header.bytes())) {
      try {
        readIndex(new DataInputStream(position), offsets, counts, name, header);
      } catch (EOFException e) {
        throw new IOException(name + ": truncated in the class index at byte " + position.position(), e);
      }
    }
    return new CandidateShardReader(name, null, ranges, header, offsets, counts);
  }

  /** A shard's header, checked; {@code totals} is null in a version-2 shard, which has none. */
  private record Header(int version, int classes, int k, int topP, ImageTotals totals) {

    /** Where the class index starts. */
    int bytes() {
      return version == CandidateShardWriter.VERSION_WITHOUT_TOTALS ? CandidateShardWriter.HEADER_BYTES_WITHOUT_TOTALS
          : CandidateShardWriter.HEADER_BYTES;
    }
  }

  private static Header readHeader(DataInputStream in, String name) throws IOException {
    int magic = in.readInt();
    if (magic != CandidateShardWriter.MAGIC) {
      throw new IOException(name + ": not a candidate shard (magic " + Magic.describe(magic)
          + ", expected " + Magic.describe(CandidateShardWriter.MAGIC) + ")");
    }
    int version = in.readInt();
    if (version != CandidateShardWriter.VERSION && version != CandidateShardWriter.VERSION_WITHOUT_TOTALS) {
      throw new IOException(name + ": candidate shard version " + version + ", this worker reads versions "
          + CandidateShardWriter.VERSION_WITHOUT_TOTALS + " and " + CandidateShardWriter.VERSION);
    }
    int classes = in.readInt();
    int k = in.readInt();
    int topP = in.readInt();
    if (classes < 1 || classes > CandidateEncoding.MAX_CLASSES || k < 1 || topP < 1 || topP > classes) {
      throw new IOException(name + ": corrupt header (classes " + classes + ", k " + k + ", topP " + topP + ")");
    }
    ImageTotals totals = null;
    if (version == CandidateShardWriter.VERSION) {
      long scored = in.readLong();
      long skipped = in.readLong();
      if (scored < 0 || skipped < 0) {
        throw new IOException(name + ": corrupt header (images scored " + scored + ", skipped " + skipped + ")");
      }
      totals = new ImageTotals(scored, skipped);
    }
    return new Header(version, classes, k, topP, totals);
  }

  private static void readIndex(DataInputStream in, long[] offsets, int[] counts, String name, Header header)
      throws IOException {
    int classes = counts.length;
    for (int cls = 0; cls < classes; cls++) {
      offsets[cls] = in.readLong();
      counts[cls] = in.readInt();
    }
    offsets[classes] = in.readLong();
    checkIndex(name, offsets, counts, header);
  }

  private static void checkIndex(String name, long[] offsets, int[] counts, Header header) throws IOException {
    int classes = counts.length;
    int k = header.k();
    long first = header.bytes() + CandidateShardWriter.indexBytes(classes);
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

  /**
   * The pool images the infer shard scored and skipped, from the header; empty for a version-2
   * shard (written before headers carried them), whose totals are in its infer progress file.
   */
  public Optional<ImageTotals> imageTotals() {
    return Optional.ofNullable(totals);
  }

  /** Whether classes are read by ranges of their own (in any order, from any thread), not from one stream. */
  public boolean ranged() {
    return ranges != null;
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
   * Opens one class's entries, reading them all: the whole class in one ranged read, or from the
   * one stream. On one stream classes must be opened in increasing order; the entries of the class
   * opened before, read or not, are skipped. With ranges, classes open in any order, from any thread.
   */
  public ClassEntries openClass(int cls) throws IOException {
    checkClass(cls);
    return openClass(cls, counts[cls], counts[cls]);
  }

  /**
   * Opens one class's entries for a reader that may stop early: with ranges, the first ranged read
   * covers about {@code firstEntries} entries (by the class's mean entry size in this shard), each
   * later one about {@code nextEntries}, at most {@link #MAX_RANGE_BYTES}; a reader that stops
   * leaves at most one range's bytes unused. On one stream the sizes do not matter.
   */
  public ClassEntries openClass(int cls, int firstEntries, int nextEntries) throws IOException {
    checkClass(cls);
    if (ranges != null) {
      // Each class has ranges of its own: classes open in any order, from any thread.
      long start = offsets[cls];
      long bytes = offsets[cls + 1] - start;
      ClassRanges source = new ClassRanges(cls, start, offsets[cls + 1],
          rangeBytes(firstEntries, bytes, counts[cls]), rangeBytes(nextEntries, bytes, counts[cls]));
      PositionedInput classPosition = new PositionedInput(source, start);
      return new ClassEntries(cls, classPosition, new DataInputStream(classPosition));
    }
    if (current != null) {
      current.closed = true;
    }
    if (cls < nextClass) {
      throw new IllegalStateException(name + ": class " + cls + " opened after class " + (nextClass - 1)
          + "; a shard is read forward only");
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
    current = new ClassEntries(cls, position, in);
    return current;
  }

  /** Bytes of about {@code entries} entries of a class of {@code count} entries in {@code bytes}: at least 1. */
  private static int rangeBytes(int entries, long bytes, int count) {
    if (count == 0 || entries >= count) {
      return (int) Math.max(1, Math.min(bytes, MAX_RANGE_BYTES));
    }
    long size = (long) Math.ceil((double) Math.max(1, entries) * bytes / count);
    return (int) Math.max(1, Math.min(size, MAX_RANGE_BYTES));
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
    if (in != null) {
      in.close();
    }
  }

  private void checkClass(int cls) {
    if (cls < 0 || cls >= classes) {
      throw new IndexOutOfBoundsException(name + ": class " + cls + " outside 0.." + (classes - 1));
    }
  }

  /** The entries of one class, best first, read as they are asked for. */
  public final class ClassEntries {

    private final int cls;
    private final PositionedInput position;
    private final DataInputStream in;
    private int read;
    private Candidate previous;
    private boolean closed;

    private ClassEntries(int cls, PositionedInput position, DataInputStream in) {
      this.cls = cls;
      this.position = position;
      this.in = in;
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

  /**
   * The bytes of one class as consecutive ranged reads, each read whole into memory when the
   * entries reach it and released at the next: no connection stays open between entries.
   */
  private final class ClassRanges extends InputStream {

    private final int cls;
    private final long end;
    private final int firstBytes;
    private final int nextBytes;
    private long fetched;
    private boolean started;
    private byte[] range = new byte[0];
    private int at;

    ClassRanges(int cls, long start, long end, int firstBytes, int nextBytes) {
      this.cls = cls;
      this.fetched = start;
      this.end = end;
      this.firstBytes = firstBytes;
      this.nextBytes = nextBytes;
    }

    @Override
    public int read() throws IOException {
      if (at == range.length && !fetch()) {
        return -1;
      }
      return range[at++] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (at == range.length && !fetch()) {
        return -1;
      }
      int n = Math.min(length, range.length - at);
      System.arraycopy(range, at, into, offset, n);
      at += n;
      return n;
    }

    /** The next range of the class; false at its end. */
    private boolean fetch() throws IOException {
      if (fetched >= end) {
        return false;
      }
      int length = (int) Math.min(end - fetched, started ? nextBytes : firstBytes);
      started = true;
      byte[] bytes;
      try (InputStream in = ranges.open(fetched, length)) {
        bytes = in.readNBytes(length);
      }
      if (bytes.length < length) {
        throw new IOException(name + ": truncated in class " + cls + " at byte " + (fetched + bytes.length)
            + " (the index says it ends at " + end + ")");
      }
      fetched += length;
      range = bytes;
      at = 0;
      return true;
    }
  }
}
