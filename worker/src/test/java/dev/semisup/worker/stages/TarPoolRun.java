package dev.semisup.worker.stages;

import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.model.ModelShape;
import dev.semisup.worker.model.Network;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.progress.ProgressListener;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.FileBlobs;
import dev.semisup.worker.store.LocalDirectoryStore;
import dev.semisup.worker.store.ObjectStore;
import dev.semisup.worker.testing.PackedTars;
import dev.semisup.worker.testing.TinyDataset;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A run over a synthetic tar pool: {@code files} WebDataset tars of small grey PNGs whose .cls is
 * the hidden label (TinyDataset's band pattern, so a teacher's pseudo-labels mean something), a
 * randomly initialised teacher given as a checkpoint, and contexts for infer, select and pack.
 */
public final class TarPoolRun {

  public final Path root;
  public final Path poolDir;
  public final SemiSupervisedRunSpec spec;
  public final StagePlan plan;

  private TarPoolRun(Path root, Path poolDir, SemiSupervisedRunSpec spec) {
    this.root = root;
    this.poolDir = poolDir;
    this.spec = spec;
    this.plan = StagePlan.of(spec);
  }

  /** Image i of the pool (over all files) has hidden label i % 3; file f holds images f*perFile.. (+ uneven sizes). */
  public static TarPoolRun create(Path root, int files, int perFile, int shards, String samplingExtra)
      throws IOException, ManifestException {
    return create(root, files, perFile, shards, samplingExtra, false);
  }

  /**
   * As {@link #create}, or with {@code folder} the same images as loose PNG files in one folder
   * per hidden class ({@code pool/<label>/img-000042.png}), a folder pool.
   */
  public static TarPoolRun create(Path root, int files, int perFile, int shards, String samplingExtra, boolean folder)
      throws IOException, ManifestException {
    return create(root, files, perFile, shards, samplingExtra, folder, TarPoolRun::png);
  }

  /** An encoded pool image of a hidden label: its bytes and the extension that names their format. */
  public interface PoolImages {
    PoolImage make(int label, Random random) throws IOException;
  }

  public record PoolImage(byte[] bytes, String extension) {
  }

  /** As {@link #create}, with the pool's images made by {@code images} (tar pools). */
  public static TarPoolRun create(Path root, int files, int perFile, int shards, String samplingExtra, boolean folder,
      PoolImages images) throws IOException, ManifestException {
    Path data = TinyDataset.writeTo(root.resolve("tiny"));
    Path pool = root.resolve("pool");
    Files.createDirectories(pool);
    Random random = new Random(7);
    int image = 0;
    for (int f = 0; folder && f < files * perFile; f++, image++) {
      int label = image % TinyDataset.CLASSES;
      PoolImage made = images.make(label, random);
      Path file = pool.resolve(label + String.format("/img-%06d.", image) + made.extension());
      Files.createDirectories(file.getParent());
      Files.write(file, made.bytes());
    }
    for (int f = 0; !folder && f < files; f++) {
      int count = perFile + (f % 3); // uneven files, so byte balancing matters
      try (OutputStream out = Files.newOutputStream(pool.resolve(String.format("part-%04d.tar", f)));
           TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        for (int i = 0; i < count; i++, image++) {
          int label = image % TinyDataset.CLASSES;
          String key = String.format("img-%06d", image);
          PoolImage made = images.make(label, random);
          PackedTars.member(tar, key + "." + made.extension(), made.bytes());
          PackedTars.member(tar, key + ".cls", Integer.toString(label).getBytes());
        }
      }
    }
    Path teacher = root.resolve("teacher.params");
    ModelShape shape = new ModelShape(1, TinyDataset.SIZE, TinyDataset.CLASSES);
    try (Network network = Network.create("cnn-small", shape, Regularization.NONE, 5);
         OutputStream out = Files.newOutputStream(teacher)) {
      network.saveParameters(out);
    }
    String dataUri = data.toUri().toString();
    String yaml = """
        apiVersion: semisup.dev/v1alpha1
        kind: SemiSupervisedRun
        metadata: {name: tarpool}
        spec:
          data:
            classes: 3
            imageSize: 8
            channels: 1
            horizontalFlip: false
            labeled: {uri: "%1$s%2$s", labelsUri: "%1$s%3$s", format: idx, perClass: 10, seed: 1}
            unlabeled: {uri: "%4$s", format: %8$s}
            validation: {uri: "%1$s%2$s", labelsUri: "%1$s%3$s", format: idx}
          teacher: {architecture: cnn-small, checkpoint: "%5$s"}
          student:
            architecture: cnn-small
            training: {epochs: 1, batchSize: 16, learningRate: 0.02, seed: 2}
          sampling: {topK: 25, topP: 2, shards: %6$d%7$s}
        """.formatted(dataUri, TinyDataset.TRAIN_IMAGES, TinyDataset.TRAIN_LABELS, pool.toUri() + "",
        teacher.toUri(), shards, samplingExtra, folder ? "folder" : "tar");
    return new TarPoolRun(root, pool, Manifests.parse(yaml, "tarpool.yaml").getSpec());
  }

  public String poolUri() {
    return poolDir.toUri().toString();
  }

  /** The context of one step (and shard) of this run, with its artifacts under {@code store}. */
  public StageContext context(Path store, String stepId, int shard, Blobs blobs) {
    ObjectStore objects = new LocalDirectoryStore(store);
    return StageContext.builder("tarpool", spec).plan(plan).step(plan.require(stepId), shard)
        .artifacts(new ObjectLayout("runs/tarpool"), objects).data(blobs)
        .progress(ProgressListener.NONE, Duration.ZERO).build();
  }

  public static Blobs files() {
    return new FileBlobs();
  }

  private static PoolImage png(int label, Random random) throws IOException {
    int size = TinyDataset.SIZE;
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    byte[] pixels = new byte[size * size];
    for (int p = 0; p < pixels.length; p++) {
      int row = p / size;
      boolean band = row >= 2 * label + 1 && row < 2 * label + 3;
      pixels[p] = (byte) Math.min(255, random.nextInt(70) + (band ? 170 : 0));
    }
    image.getRaster().setDataElements(0, 0, size, size, pixels);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return new PoolImage(out.toByteArray(), "png");
  }
}
