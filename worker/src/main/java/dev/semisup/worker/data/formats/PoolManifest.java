package dev.semisup.worker.data.formats;

import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.worker.store.Blobs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The unlabeled pool's files with their sizes, listed once per run ({@code pool/manifest.tsv}) so
 * that no inference shard lists the pool itself (a folder of 1e9 images is a million LIST pages).
 * Shard i of S reads only {@link #slice}: a contiguous run of files balanced by bytes, so all S
 * shards together read every file once.
 *
 * <p>Text, UTF-8: a header {@code # semisup pool manifest v1<TAB>format<TAB>uri<TAB>partitioned},
 * then one line per file, {@code bytes<TAB>uri}, in the pool's order (sorted by URI).
 *
 * <p>Single-file formats (idx, cifar), and a tar pool cut short by {@code limit} (where an image's
 * ordinal depends on every file before it), are one unit: not partitioned, every shard streams
 * the unit and keeps image i when i mod S == its shard. Such pools are small by nature.
 *
 * @param partitioned whether shards split the files (tar and folder pools) or share one unit
 */
public record PoolManifest(DataFormat format, String uri, boolean partitioned, List<PoolFile> files) {

  static final String HEADER = "# semisup pool manifest v1";

  /** One file of the pool: its place in the pool's order (the ordinal's high part for tars), URI and size. */
  public record PoolFile(int index, String uri, long bytes) {
  }

  public PoolManifest {
    files = List.copyOf(files);
  }

  /**
   * Whether shards split this pool by file: tar and folder pools do; idx and cifar data, and a
   * tar pool cut short by a limit, are one unit.
   */
  public static boolean partitioned(DataSourceSpec pool) {
    return switch (pool.getFormat()) {
      case TAR -> pool.getLimit() == null;
      case FOLDER -> true;
      case IDX, CIFAR -> false;
    };
  }

  /** Lists the pool (the one LIST of the run) into a manifest. */
  public static PoolManifest list(DataSourceSpec pool, Blobs blobs) throws IOException {
    String uri = pool.getUri();
    DataFormat format = pool.getFormat();
    boolean partitioned = partitioned(pool);
    List<Blobs.Sized> sized;
    if (format == DataFormat.FOLDER) {
      String folder = uri.endsWith("/") ? uri : uri + "/";
      long limit = pool.getLimit() == null ? Long.MAX_VALUE : pool.getLimit();
      java.util.Map<String, Blobs.Sized> byUri = new java.util.HashMap<>();
      for (Blobs.Sized file : blobs.listSized(folder)) {
        if (FolderSource.isImage(file.uri())) {
          byUri.put(file.uri(), file);
        }
      }
      // The whole pass's order (class by class where the pool has class folders), so ordinals and
      // a limit agree with reading the folder in one pass.
      sized = FolderSource.passOrder(folder, byUri.keySet().stream().sorted().toList()).stream()
          .limit(limit).map(byUri::get).toList();
      if (sized.isEmpty()) {
        throw new IOException(folder + ": no .jpg, .jpeg or .png images in this folder");
      }
    } else if (format == DataFormat.TAR && uri.endsWith("/")) {
      sized = blobs.listSized(uri).stream().filter(file -> file.uri().toLowerCase(Locale.ROOT).endsWith(".tar")).toList();
      if (sized.isEmpty()) {
        throw new IOException(uri + ": no .tar files in this folder");
      }
    } else if (format == DataFormat.CIFAR && uri.endsWith("/")) {
      sized = blobs.listSized(uri).stream().filter(file -> file.uri().toLowerCase(Locale.ROOT).endsWith(".bin")).toList();
    } else {
      sized = List.of(new Blobs.Sized(uri, blobs.size(uri)));
    }
    List<PoolFile> files = new ArrayList<>(sized.size());
    for (Blobs.Sized file : sized) {
      files.add(new PoolFile(files.size(), file.uri(), file.bytes()));
    }
    return new PoolManifest(format, uri, partitioned, files);
  }

  /** The files of shard {@code shard} of {@code shards}: contiguous, cut where the running byte total passes shard/shards. */
  public List<PoolFile> slice(int shard, int shards) {
    if (shard < 0 || shard >= shards) {
      throw new IllegalArgumentException("shard " + shard + " is outside 0.." + (shards - 1));
    }
    if (!partitioned) {
      throw new IllegalStateException(uri + " is one unit (" + format.name().toLowerCase(Locale.ROOT)
          + "), not partitioned by file");
    }
    long total = totalBytes();
    int from = cut(shard, shards, total);
    int to = cut(shard + 1, shards, total);
    return files.subList(from, to);
  }

  /**
   * The first file of shard {@code shard}: the first whose start lies at or past shard/shards of
   * the bytes. Starts are compared, so every file falls in exactly one shard whatever the sizes.
   */
  private int cut(int shard, int shards, long total) {
    if (shard == shards) {
      return files.size();
    }
    // start(i) * shards >= shard * total, in exact integer arithmetic (1e9 files x 110 KB fits a long only per term)
    java.math.BigInteger boundary = java.math.BigInteger.valueOf(shard).multiply(java.math.BigInteger.valueOf(total));
    long start = 0;
    for (int i = 0; i < files.size(); i++) {
      if (java.math.BigInteger.valueOf(start).multiply(java.math.BigInteger.valueOf(shards)).compareTo(boundary) >= 0) {
        return i;
      }
      start += files.get(i).bytes();
    }
    return files.size();
  }

  public long totalBytes() {
    long total = 0;
    for (PoolFile file : files) {
      total += file.bytes();
    }
    return total;
  }

  public byte[] toBytes() {
    StringBuilder text = new StringBuilder();
    text.append(HEADER).append('\t').append(format.name().toLowerCase(Locale.ROOT)).append('\t').append(uri)
        .append('\t').append(partitioned ? "partitioned" : "one-unit").append('\n');
    for (PoolFile file : files) {
      text.append(file.bytes()).append('\t').append(file.uri()).append('\n');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Parses {@link #toBytes()}; {@code name} (the object's URI) is named in every error. */
  public static PoolManifest parse(byte[] bytes, String name) throws IOException {
    try (BufferedReader lines = new BufferedReader(new StringReader(new String(bytes, StandardCharsets.UTF_8)))) {
      String header = lines.readLine();
      String[] fields = header == null ? new String[0] : header.split("\t", -1);
      if (fields.length != 4 || !fields[0].equals(HEADER)) {
        throw new IOException(name + ": not a pool manifest (first line: " + header + ")");
      }
      DataFormat format;
      try {
        format = DataFormat.valueOf(fields[1].toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IOException(name + ": unknown format '" + fields[1] + "'", e);
      }
      List<PoolFile> files = new ArrayList<>();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        int tab = line.indexOf('\t');
        try {
          files.add(new PoolFile(files.size(), line.substring(tab + 1), Long.parseLong(line.substring(0, Math.max(tab, 0)))));
        } catch (NumberFormatException e) {
          throw new IOException(name + ": line " + (files.size() + 2) + " is not '<bytes>\\t<uri>': " + line, e);
        }
      }
      return new PoolManifest(format, fields[2], fields[3].equals("partitioned"), files);
    }
  }
}
