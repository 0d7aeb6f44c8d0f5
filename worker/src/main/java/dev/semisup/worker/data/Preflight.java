package dev.semisup.worker.data;

import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.Problem;
import dev.semisup.worker.data.formats.CifarSource;
import dev.semisup.worker.data.formats.FolderSource;
import dev.semisup.worker.data.formats.IdxSource;
import dev.semisup.worker.data.formats.PoolManifest;
import dev.semisup.worker.data.formats.ShardFiles;
import dev.semisup.worker.data.formats.TarShardSource;
import dev.semisup.worker.store.Blobs;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens every data source of a run before its first step, so bad data fails in seconds with the
 * field and file named, not after the teacher has trained for an hour. The labeled and validation
 * sets are read through to their labels (what choosing perClass images costs anyway): an empty or
 * truncated file, a bad header, a label out of range, a class folder the labeled set lacks, a
 * labeled set without some class (a set of more than {@link #TAR_SHARDS} tar shards: its first
 * shards only); and the first image of each is decoded. The pool, which may be huge, is opened
 * and its first image decoded; where its size is known without reading it all (IDX, CIFAR, a
 * folder) the shard count is checked against it. What is not checked here: the later images of a labeled or validation
 * set (the first pass over them fails naming a broken one) and of the pool (skipped and counted).
 */
public final class Preflight {

  private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

  /**
   * Tar shards whose labels a preflight reads: every one of a small set, a sample of an
   * ImageNet-sized one (1,000+ shards, 100+ GB), which a check before every run must not download.
   */
  static final int TAR_SHARDS = 16;

  private Preflight() {
  }

  /** Everything wrong with the run's data, by field; empty when every source opened and checked. */
  public static List<Problem> check(SemiSupervisedRunSpec spec, Blobs blobs) throws IOException {
    DataSpec data = spec.getData();
    List<Problem> problems = new ArrayList<>();
    labeledLike(data.getLabeled(), data, blobs, true, problems);
    labeledLike(data.getValidation(), data, blobs, false, problems);
    Long poolImages = pool(data, blobs, problems);
    int shards = spec.getSampling() == null || spec.getSampling().getShards() == null ? 1 : spec.getSampling().getShards();
    if (poolImages != null && shards > poolImages) {
      problems.add(new Problem("spec.sampling.shards", shards + " infer shards for a pool of " + poolImages
          + " images would leave shards with nothing to score; use at most " + poolImages));
    }
    DataSourceSpec pool = data.getUnlabeled();
    if (pool.getFormat() == DataFormat.TAR && PoolManifest.partitioned(pool)) {
      // Each infer shard reads whole tar files (the pool is read once, by file): a shard beyond the
      // file count would score nothing.
      int files = ShardFiles.list(blobs, pool.getUri(), ".tar").size();
      if (shards > files) {
        problems.add(new Problem("spec.sampling.shards", shards + " infer shards for a pool of " + files
            + " tar files would leave shards with nothing to score (each shard reads whole files); use at most " + files));
      }
    }
    return problems;
  }

  /** Reads every label of a labeled or validation set and counts images per class. */
  private static void labeledLike(DataSourceSpec source, DataSpec data, Blobs blobs, boolean labeled, List<Problem> problems)
      throws IOException {
    String field = DataSources.field(source, data);
    int classes = data.getClasses();
    long[] perClass = new long[classes];
    long[] total = new long[1];
    boolean complete = true;
    try {
      ImageSource images = DataSources.open(source, data, blobs, false, true);
      if (images instanceof IdxSource idx) {
        idx.verifyImages();
      }
      LabelScan.Sink sink = new LabelScan.Sink() {
        @Override
        public void label(long ordinal, int label) throws IOException {
          // IDX and CIFAR: the record number in the file that holds the labels.
          String file = source.getLabelsUri() != null ? source.getLabelsUri() : images.describe();
          count(CheckedLabels.problem(file, "#" + ordinal, label, classes), label);
        }

        @Override
        public void label(long ordinal, String key, int label) throws IOException {
          // Tar and folder: the shard member or the file itself.
          count(CheckedLabels.problem(key, label, classes), label);
        }

        private void count(BadDataException problem, int label) throws BadDataException {
          if (problem != null) {
            throw problem;
          }
          perClass[label]++;
          total[0]++;
        }
      };
      if (images instanceof TarShardSource tar) {
        complete = tar.scanLabels(sink, TAR_SHARDS);
      } else {
        ((LabelScan) images).scanLabels(sink);
      }
      try (ImageStream first = images.open(ordinal -> ordinal == 0)) {
        // One decode: an image format the reader cannot read shows here, not after an epoch.
        first.next();
      }
    } catch (BadDataException | FileNotFoundException e) {
      problems.add(problem(field, source, e));
      return;
    }
    if (total[0] == 0) {
      problems.add(new Problem(field + ".uri", source.getUri() + " holds no image"));
      return;
    }
    if (!complete) {
      LOG.info("{}: checked the labels of the first {} tar shards of {}; the rest are checked as they are read",
          field, TAR_SHARDS, source.getUri());
      return;
    }
    List<Integer> absent = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      if (perClass[c] == 0) {
        absent.add(c);
      }
    }
    String absentText = "no image of class" + (absent.size() > 1 ? "es " : " ") + shortList(absent) + " among its "
        + total[0] + " images (data.classes is " + classes + ")";
    if (labeled && !absent.isEmpty()) {
      problems.add(new Problem(field + ".uri", source.getUri() + ": " + absentText
          + (source.getLimit() != null ? "; limit takes the first images in file order, see docs/data.md" : "")));
    } else if (!absent.isEmpty()) {
      LOG.warn("{}: {} has {}: its accuracy covers the other classes only", field, source.getUri(), absentText);
    }
    if (labeled && source.getPerClass() != null) {
      for (int c = 0; c < classes; c++) {
        if (perClass[c] > 0 && perClass[c] < source.getPerClass()) {
          problems.add(new Problem(field + ".perClass", "class " + c + " has " + perClass[c] + " images in "
              + source.getUri() + ", fewer than perClass " + source.getPerClass()));
          break;
        }
      }
    }
  }

  /** Opens the pool and decodes its first image; returns its image count when known cheaply, else null. */
  private static Long pool(DataSpec data, Blobs blobs, List<Problem> problems) throws IOException {
    DataSourceSpec pool = data.getUnlabeled();
    String field = DataSources.field(pool, data);
    try {
      ImageSource images = DataSources.open(pool, data, blobs, true, false);
      Long count = null;
      boolean firstInFileOrder = images instanceof TarShardSource;
      if (images instanceof IdxSource idx) {
        count = idx.verifyImages();
      } else if (images instanceof FolderSource folder) {
        count = folder.count();
        // A pool of class folders has hidden labels (select reports precision with them): numbered as the labeled set's.
        firstInFileOrder = ((FolderSource) DataSources.open(pool, data, blobs, true, true)).classNames().isEmpty();
      } else if (images instanceof CifarSource cifar) {
        long[] records = new long[1];
        cifar.scanLabels((ordinal, label) -> records[0]++);
        count = records[0];
      }
      if (pool.getLimit() != null && firstInFileOrder) {
        LOG.warn("{}.limit: the pool's first {} images in sorted file order, not a random sample of {} (docs/data.md)",
            field, pool.getLimit(), pool.getUri());
      }
      try (ImageStream stream = images.open()) {
        if (stream.next() == null) {
          problems.add(new Problem(field + ".uri", pool.getUri() + " holds no readable image"
              + (stream.skipped() > 0 ? " (" + stream.skipped() + " skipped as corrupt or oversized)" : "")));
          return null;
        }
      }
      return count;
    } catch (BadDataException | FileNotFoundException e) {
      problems.add(problem(field, pool, e));
      return null;
    }
  }

  private static Problem problem(String field, DataSourceSpec source, IOException e) {
    String message = e.getMessage();
    String labelsUri = source.getLabelsUri();
    boolean aboutLabels = labelsUri != null && message != null && message.startsWith(labelsUri);
    String uriField = field + (aboutLabels ? ".labelsUri" : ".uri");
    if (message != null && message.startsWith(uriField + ": ")) {
      message = message.substring(uriField.length() + 2);
    }
    return new Problem(uriField, message);
  }

  private static String shortList(List<Integer> classes) {
    List<String> shown = classes.stream().limit(10).map(String::valueOf).toList();
    return String.join(", ", shown) + (classes.size() > 10 ? " and " + (classes.size() - 10) + " more" : "");
  }
}
