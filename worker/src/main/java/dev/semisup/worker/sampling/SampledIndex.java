package dev.semisup.worker.sampling;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The sampled dataset index, {@code index/part-NNNNN.bin}: what the student pre-trains on, one
 * entry per (image, pseudo-label), sorted by class, then best first.
 *
 * <p>Format, big-endian (DataOutputStream):
 * <pre>
 * header   int magic "SSIX", int version (2), int classes, int topP
 * entries  byte 1, int pseudoLabel, then the candidate (see CandidateEncoding)
 * trailer  byte 0, long entries
 * </pre>
 * Entries are written as the merge produces them, so their number is known only at the end; the
 * trailer is what tells a complete part from one whose writer died.
 */
public final class SampledIndex {

  public static final int MAGIC = 0x53534958; // "SSIX": semisup sampled index
  public static final int VERSION = 2; // 2: entries carry the hidden label

  private static final byte ENTRY = 1;
  private static final byte END = 0;

  private SampledIndex() {
  }

  /** Reads a whole part into memory; for tests and small pools. */
  public static List<Candidate> readAll(InputStream in, String name) throws IOException {
    try (Reader reader = new Reader(in, name)) {
      List<Candidate> entries = new ArrayList<>();
      for (Candidate c = reader.next(); c != null; c = reader.next()) {
        entries.add(c);
      }
      return entries;
    }
  }

  /**
   * Writes one part. {@link #finish()} writes the trailer; {@link #close()} only closes the
   * stream, so a part abandoned after an error (try-with-resources still closes it) has no
   * trailer and readers reject it as truncated rather than take it as complete.
   */
  public static final class Writer implements Closeable, CandidateSink {

    private final DataOutputStream out;
    private final int classes;
    private final int topP;
    private long entries;
    private Candidate previous;
    private boolean finished;

    public Writer(OutputStream stream, int classes, int topP) throws IOException {
      if (classes < 1 || topP < 1 || topP > classes) {
        throw new IllegalArgumentException("classes " + classes + " and topP " + topP + " do not fit");
      }
      this.out = new DataOutputStream(stream);
      this.classes = classes;
      this.topP = topP;
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(classes);
      out.writeInt(topP);
    }

    /** Appends one entry; entries must come sorted by class, then best first. */
    @Override
    public void accept(Candidate candidate) throws IOException {
      if (finished) {
        throw new IllegalStateException("sampled index part already finished");
      }
      CandidateEncoding.checkWritable(candidate, classes, topP);
      if (previous != null && !inIndexOrder(previous, candidate)) {
        throw new IllegalArgumentException("sampled index not sorted by class, then best first: "
            + candidate + " after " + previous);
      }
      out.writeByte(ENTRY);
      out.writeInt(candidate.pseudoLabel());
      CandidateEncoding.write(out, candidate);
      previous = candidate;
      entries++;
    }

    /** Writes the trailer and flushes; the part is complete. */
    public void finish() throws IOException {
      if (!finished) {
        out.writeByte(END);
        out.writeLong(entries);
        out.flush();
        finished = true;
      }
    }

    public long entries() {
      return entries;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** Reads one part as a stream of entries. */
  public static final class Reader implements Closeable {

    private final String name;
    private final PositionedInput position;
    private final DataInputStream in;
    private final int classes;
    private final int topP;
    private long entries;
    private Candidate previous;
    private boolean ended;

    /** Reads the header; {@code name} is used in messages (the object key). */
    public Reader(InputStream stream, String name) throws IOException {
      this.name = name;
      this.position = new PositionedInput(stream);
      this.in = new DataInputStream(position);
      try {
        int magic = in.readInt();
        if (magic != MAGIC) {
          throw new IOException(name + ": not a sampled index (magic " + Magic.describe(magic)
              + ", expected " + Magic.describe(MAGIC) + ")");
        }
        int version = in.readInt();
        if (version != VERSION) {
          throw new IOException(name + ": sampled index version " + version + ", this worker reads version " + VERSION);
        }
        classes = in.readInt();
        topP = in.readInt();
        if (classes < 1 || classes > CandidateEncoding.MAX_CLASSES || topP < 1 || topP > classes) {
          throw new IOException(name + ": corrupt header (classes " + classes + ", topP " + topP + ")");
        }
      } catch (EOFException e) {
        throw new IOException(name + ": truncated in the header at byte " + position.position(), e);
      }
    }

    public int classes() {
      return classes;
    }

    public int topP() {
      return topP;
    }

    /** The next entry, or null at the end of the part (after checking its trailer). */
    public Candidate next() throws IOException {
      if (ended) {
        return null;
      }
      String where = name + " entry " + entries;
      try {
        byte tag = in.readByte();
        if (tag == END) {
          long written = in.readLong();
          if (written != entries) {
            throw new IOException(name + ": corrupt: trailer counts " + written + " entries, read " + entries);
          }
          ended = true;
          return null;
        }
        if (tag != ENTRY) {
          throw new IOException(where + ": corrupt entry tag " + tag + " at byte " + (position.position() - 1));
        }
        int pseudoLabel = in.readInt();
        if (pseudoLabel < 0 || pseudoLabel >= classes) {
          throw new IOException(where + ": corrupt pseudo-label " + pseudoLabel + " (classes: " + classes + ")");
        }
        Candidate candidate = CandidateEncoding.read(in, pseudoLabel, classes, topP, where);
        if (previous != null && !inIndexOrder(previous, candidate)) {
          throw new IOException(where + ": corrupt: not sorted by class, then best first");
        }
        previous = candidate;
        entries++;
        return candidate;
      } catch (EOFException e) {
        throw new IOException(name + ": truncated at byte " + position.position() + " after " + entries
            + " entries (no trailer: its writer did not finish)", e);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private static boolean inIndexOrder(Candidate previous, Candidate next) {
    if (previous.pseudoLabel() != next.pseudoLabel()) {
      return previous.pseudoLabel() < next.pseudoLabel();
    }
    return Candidate.BETTER_FIRST.compare(previous, next) < 0;
  }
}
