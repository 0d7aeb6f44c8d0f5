package dev.semisup.worker.data;

/**
 * Where one pool image lives, precisely enough to fetch it without a scan: the file's URI, and
 * for a tar member its name and the byte range of its data, so a later step (pack) reads it with
 * one ranged GET. Written as one string in candidate files and the sampled index:
 *
 * <pre>
 * s3://pool/shard-00012.tar#img-000042.jpg@1536+20480   tar member: data at byte 1536, 20480 bytes
 * s3://pool/images/a/b.jpg                             one image file (folder pools)
 * train-images.gz#4711                                 record 4711 of a single-file format (idx, cifar):
 *                                                      the file's name; the pool's spec gives its URI
 * </pre>
 *
 * @param member the tar member's name, the record number of idx/cifar data, or null for a whole file
 * @param offset the member data's first byte in the file, or -1 when there is no byte range
 * @param length the member data's length in bytes, or -1 when there is no byte range
 */
public record ImageRef(String file, String member, long offset, long length) {

  public static ImageRef wholeFile(String file) {
    return new ImageRef(file, null, -1, -1);
  }

  public static ImageRef record(String file, long record) {
    return new ImageRef(file, Long.toString(record), -1, -1);
  }

  public static ImageRef tarMember(String file, String member, long offset, long length) {
    return new ImageRef(file, member, offset, length);
  }

  /** True when the image's bytes can be fetched with a ranged read of {@code offset, length}. */
  public boolean ranged() {
    return offset >= 0 && length >= 0;
  }

  /** The member's extension, lower case ("jpg", "png"), or the whole file's; "" when it has none. */
  public String extension() {
    String name = member != null && ranged() ? member : file;
    int slash = name.lastIndexOf('/');
    int dot = name.lastIndexOf('.');
    return dot > slash ? name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT) : "";
  }

  @Override
  public String toString() {
    if (member == null) {
      return file;
    }
    return ranged() ? file + "#" + member + "@" + offset + "+" + length : file + "#" + member;
  }

  /** Parses {@link #toString()}'s form; anything else is an IllegalArgumentException naming it. */
  public static ImageRef parse(String ref) {
    int hash = ref.indexOf('#');
    if (hash < 0) {
      return wholeFile(ref);
    }
    String file = ref.substring(0, hash);
    String rest = ref.substring(hash + 1);
    int at = rest.lastIndexOf('@');
    if (at < 0) {
      return new ImageRef(file, rest, -1, -1);
    }
    int plus = rest.indexOf('+', at);
    try {
      if (plus < 0) {
        throw new NumberFormatException("no '+length'");
      }
      long offset = Long.parseLong(rest.substring(at + 1, plus));
      long length = Long.parseLong(rest.substring(plus + 1));
      if (offset < 0 || length < 0) {
        throw new NumberFormatException("negative range");
      }
      return tarMember(file, rest.substring(0, at), offset, length);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("image reference '" + ref + "': expected file#member@offset+length", e);
    }
  }
}
