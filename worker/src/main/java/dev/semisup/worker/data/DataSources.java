package dev.semisup.worker.data;

import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.formats.CifarSource;
import dev.semisup.worker.data.formats.FolderSource;
import dev.semisup.worker.data.formats.IdxSource;
import dev.semisup.worker.data.formats.TarShardSource;
import dev.semisup.worker.input.InvalidSettingException;
import dev.semisup.worker.store.Blobs;
import java.io.IOException;
import java.util.Objects;

/** Opens the run's image sets from their specs: the one place that knows which reader reads what. */
public final class DataSources {

  private DataSources() {
  }

  /**
   * The raw source as the spec describes it, labels included (evaluation may read a pool's hidden
   * labels this way), at the run's geometry, limited to the spec's first {@code limit} images.
   *
   * @param skipCorrupt true for pools: undecodable images are skipped and counted, not fatal
   */
  public static ImageSource open(DataSourceSpec source, DataSpec data, Blobs blobs, boolean skipCorrupt) {
    return open(source, data, blobs, skipCorrupt, true);
  }

  /** The labeled set: the seeded perClass choice, or the whole source; a corrupt image is fatal. */
  public static LabeledSubset labeled(DataSpec data, Blobs blobs) throws IOException {
    DataSourceSpec labeled = data.getLabeled();
    return LabeledSubset.of(labeled, open(labeled, data, blobs, false), data.getClasses());
  }

  /** The validation set, every image checked to have a class; a corrupt image is fatal. */
  public static ImageSource validation(DataSpec data, Blobs blobs) {
    return new CheckedLabels(open(data.getValidation(), data, blobs, false), data.getClasses());
  }

  /**
   * The unlabeled pool: its labels are never read, corrupt images are skipped, and with
   * {@code excludeLabeled} the labeled set's images are left out (same ordinals, same choice).
   */
  public static UnlabeledPool pool(DataSpec data, Blobs blobs) throws IOException {
    return pool(data, ImageGeometry.of(data), blobs);
  }

  /**
   * The unlabeled pool as {@link #pool(DataSpec, Blobs)}, its images at {@code geometry}: the
   * geometry of the teacher that scores it, which a TorchScript teacher declares itself.
   */
  public static UnlabeledPool pool(DataSpec data, ImageGeometry geometry, Blobs blobs) throws IOException {
    DataSourceSpec pool = data.getUnlabeled();
    // Labels are read where the format has them, as hidden labels: UnlabeledPool strips them.
    ImageSource images = open(pool, data, geometry, blobs, true, true);
    if (!pool.excludesLabeled()) {
      return new UnlabeledPool(images);
    }
    DataSourceSpec labeled = data.getLabeled();
    if (!Objects.equals(pool.getUri(), labeled.getUri()) || pool.getFormat() != labeled.getFormat()) {
      throw new InvalidSettingException("data.unlabeled.excludeLabeled: needs the uri and format of data.labeled, "
          + "was " + pool.getUri() + " vs " + labeled.getUri());
    }
    return new UnlabeledPool(images, labeled(data, blobs)::contains);
  }

  static ImageSource open(DataSourceSpec source, DataSpec data, Blobs blobs, boolean skipCorrupt, boolean readLabels) {
    return open(source, data, ImageGeometry.of(data), blobs, skipCorrupt, readLabels);
  }

  private static ImageSource open(DataSourceSpec source, DataSpec data, ImageGeometry geometry, Blobs blobs,
      boolean skipCorrupt, boolean readLabels) {
    long limit = source.getLimit() == null ? Long.MAX_VALUE : source.getLimit();
    String uri = source.getUri();
    return switch (source.getFormat()) {
      case IDX -> new IdxSource(blobs, uri, readLabels ? source.getLabelsUri() : null, geometry, limit);
      case CIFAR -> new CifarSource(blobs, uri, data.getClasses(), readLabels, geometry, limit);
      case TAR -> new TarShardSource(blobs, uri, readLabels, skipCorrupt, geometry, limit);
      case FOLDER -> new FolderSource(blobs, uri, readLabels, skipCorrupt, geometry, limit, classFolders(source, data, blobs));
    };
  }

  /** The spec field that names this source, for messages: spec.data.labeled, .unlabeled or .validation. */
  public static String field(DataSourceSpec source, DataSpec data) {
    if (source == data.getLabeled()) {
      return "spec.data.labeled";
    }
    if (source == data.getValidation()) {
      return "spec.data.validation";
    }
    return source == data.getUnlabeled() ? "spec.data.unlabeled" : "spec.data";
  }

  /**
   * One class numbering for folders: the labeled set's sorted class folders. The labeled folder
   * must have data.classes of them; the validation folder and a pool folder with class folders
   * must have the same ones. When the labeled set is not a folder, a validation folder needs
   * data.classes class folders, numbered by their sorted names.
   */
  private static FolderSource.ClassFolders classFolders(DataSourceSpec source, DataSpec data, Blobs blobs) {
    DataSourceSpec labeled = data.getLabeled();
    String field = field(source, data) + ".uri";
    boolean labeledIsFolder = labeled != null && labeled.getFormat() == DataFormat.FOLDER;
    if (source == labeled || (!labeledIsFolder && source == data.getValidation())) {
      return FolderSource.ClassFolders.count(field, data.getClasses());
    }
    if (!labeledIsFolder || (source != data.getValidation() && source != data.getUnlabeled())) {
      return null;
    }
    FolderSource labeledFolder = new FolderSource(blobs, labeled.getUri(), true, false, ImageGeometry.of(data),
        Long.MAX_VALUE, FolderSource.ClassFolders.count("spec.data.labeled.uri", data.getClasses()));
    return FolderSource.ClassFolders.of(field, labeledFolder);
  }
}
