package dev.semisup.worker.sampling;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of one candidate, shared by the candidate shards and the sampled index, big-endian:
 * {@code long ordinal, float score, int hiddenLabel (-1: none), int keyBytes, key (UTF-8), int n,
 * n x (int class, float probability)}. The pseudo-label is not part of it: a shard block implies it, the sampled index
 * writes it before the entry.
 */
final class CandidateEncoding {

  /** Keys are image references (file URI, member, byte range); a longer one means a corrupt length field. */
  static final int MAX_KEY_BYTES = 1 << 16;

  /** A header with more classes is corrupt; checked before sizing the class index from it. */
  static final int MAX_CLASSES = 1 << 20;

  private CandidateEncoding() {
  }

  static int size(Candidate candidate) {
    return 8 + 4 + 4 + 4 + keyBytes(candidate).length + 4 + 8 * candidate.topP();
  }

  /** Writes the entry and returns its size in bytes. */
  static int write(DataOutputStream out, Candidate candidate) throws IOException {
    byte[] key = keyBytes(candidate);
    out.writeLong(candidate.ordinal());
    out.writeFloat(candidate.score());
    out.writeInt(candidate.hiddenLabel());
    out.writeInt(key.length);
    out.write(key);
    int[] classes = candidate.classes();
    float[] probabilities = candidate.probabilities();
    out.writeInt(classes.length);
    for (int i = 0; i < classes.length; i++) {
      out.writeInt(classes[i]);
      out.writeFloat(probabilities[i]);
    }
    return 8 + 4 + 4 + 4 + key.length + 4 + 8 * classes.length;
  }

  /**
   * Reads one entry; {@code classes} and {@code topP} come from the file's header and bound what
   * a corrupt file could make us allocate. {@code where} names the file and entry for messages.
   */
  static Candidate read(DataInputStream in, int pseudoLabel, int classes, int topP, String where)
      throws IOException {
    long ordinal = in.readLong();
    float score = in.readFloat();
    int hiddenLabel = in.readInt();
    if (hiddenLabel < Candidate.NO_HIDDEN_LABEL || hiddenLabel >= MAX_CLASSES) {
      throw new IOException(where + ": corrupt hidden label " + hiddenLabel);
    }
    int keyLength = in.readInt();
    if (keyLength < 0 || keyLength > MAX_KEY_BYTES) {
      throw new IOException(where + ": corrupt key length " + keyLength);
    }
    byte[] key = new byte[keyLength];
    in.readFully(key);
    int n = in.readInt();
    if (n < 0 || n > topP) {
      throw new IOException(where + ": corrupt distribution of " + n + " classes (top-P is " + topP + ")");
    }
    int[] top = new int[n];
    float[] probabilities = new float[n];
    for (int i = 0; i < n; i++) {
      top[i] = in.readInt();
      probabilities[i] = in.readFloat();
      if (top[i] < 0 || top[i] >= classes) {
        throw new IOException(where + ": corrupt class " + top[i] + " (classes: " + classes + ")");
      }
    }
    return new Candidate(ordinal, new String(key, StandardCharsets.UTF_8), pseudoLabel, score, top, probabilities,
        hiddenLabel);
  }

  static void checkWritable(Candidate candidate, int classes, int topP) {
    if (candidate.pseudoLabel() < 0 || candidate.pseudoLabel() >= classes) {
      throw new IllegalArgumentException(candidate + ": pseudo-label outside 0.." + (classes - 1));
    }
    if (candidate.topP() > topP) {
      throw new IllegalArgumentException(candidate + ": more than top-P " + topP + " classes");
    }
    for (int cls : candidate.classes()) {
      if (cls < 0 || cls >= classes) {
        throw new IllegalArgumentException(candidate + ": class " + cls + " outside 0.." + (classes - 1));
      }
    }
    if (keyBytes(candidate).length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("key longer than " + MAX_KEY_BYTES + " bytes: " + candidate.key());
    }
  }

  private static byte[] keyBytes(Candidate candidate) {
    return candidate.key().getBytes(StandardCharsets.UTF_8);
  }
}
