package dev.semisup.worker.data.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.Passes;
import dev.semisup.worker.data.TestFileBlobs;
import dev.semisup.worker.data.decode.ImageGeometry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolManifestTest {

  @TempDir
  Path dir;

  static PoolManifest manifest(long... sizes) {
    List<PoolManifest.PoolFile> files = new ArrayList<>();
    for (long size : sizes) {
      files.add(new PoolManifest.PoolFile(files.size(), "s3://pool/part-" + files.size() + ".tar", size));
    }
    return new PoolManifest(DataFormat.TAR, "s3://pool/", true, files);
  }

  @Test
  void slicesCoverEveryFileOnceInOrderAndBalanceBytes() {
    Random random = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      long[] sizes = new long[1 + random.nextInt(40)];
      for (int i = 0; i < sizes.length; i++) {
        sizes[i] = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(1000);
      }
      PoolManifest manifest = manifest(sizes);
      int shards = 1 + random.nextInt(9);
      List<PoolManifest.PoolFile> union = new ArrayList<>();
      long largest = 0;
      for (long size : sizes) {
        largest = Math.max(largest, size);
      }
      for (int shard = 0; shard < shards; shard++) {
        List<PoolManifest.PoolFile> slice = manifest.slice(shard, shards);
        union.addAll(slice);
        long bytes = slice.stream().mapToLong(PoolManifest.PoolFile::bytes).sum();
        // A contiguous cut at the byte quantiles: off the even share by at most one file.
        assertThat(bytes).isLessThanOrEqualTo(manifest.totalBytes() / shards + largest + 1);
      }
      assertThat(union).containsExactlyElementsOf(manifest.files());
    }
  }

  @Test
  void equalFilesSplitEvenly() {
    PoolManifest manifest = manifest(10, 10, 10, 10, 10, 10, 10, 10);
    assertThat(manifest.slice(0, 4)).extracting(PoolManifest.PoolFile::index).containsExactly(0, 1);
    assertThat(manifest.slice(3, 4)).extracting(PoolManifest.PoolFile::index).containsExactly(6, 7);
    assertThat(manifest.slice(2, 3)).extracting(PoolManifest.PoolFile::index).containsExactly(6, 7);
  }

  @Test
  void roundTripsAsTextAndNamesItselfInErrors() throws IOException {
    PoolManifest manifest = manifest(5, 7, 0);
    assertThat(PoolManifest.parse(manifest.toBytes(), "m.tsv")).isEqualTo(manifest);
    assertThatThrownBy(() -> PoolManifest.parse("hello\n".getBytes(), "s3://b/pool/manifest.tsv"))
        .hasMessageContaining("s3://b/pool/manifest.tsv: not a pool manifest");
  }

  @Test
  void folderSlicesReadAsTheWholePassDoesWithClassesFromTheWholeManifest() throws IOException {
    for (String file : List.of("cat/a.png", "cat/b.png", "dog/c.png", "dog/d.png", "emu/e.png")) {
      DataFiles.write(dir.resolve("set/" + file), DataFiles.encode(DataFiles.rgb(file.charAt(4), 8, 8), "png"));
    }
    DataSourceSpec spec = new DataSourceSpec();
    spec.setUri(TestFileBlobs.uri(dir.resolve("set")));
    spec.setFormat(DataFormat.FOLDER);
    PoolManifest manifest = PoolManifest.list(spec, new TestFileBlobs());
    FolderSource source = new FolderSource(new TestFileBlobs(), spec.getUri(), true, true, new ImageGeometry(3, 8), Long.MAX_VALUE);
    List<ImageRecord> whole = Passes.readAll(source);
    List<ImageRecord> sliced = new ArrayList<>();
    for (int shard = 0; shard < 3; shard++) {
      try (ImageStream stream = source.open(manifest, manifest.slice(shard, 3), ordinal -> true)) {
        for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
          sliced.add(image);
        }
      }
    }
    assertThat(sliced).extracting(ImageRecord::ordinal).containsExactlyElementsOf(Passes.ordinals(whole));
    assertThat(sliced).extracting(ImageRecord::key).containsExactlyElementsOf(whole.stream().map(ImageRecord::key).toList());
    assertThat(sliced).extracting(ImageRecord::label).as("class by class in turn, as a whole pass reads").containsExactly(0, 1, 2, 0, 1);
  }

  @Test
  void singleFileFormatsAreOneUnitAndFoldersListImagesOnly() throws IOException {
    Files.writeString(dir.resolve("images.gz"), "x");
    DataSourceSpec idx = new DataSourceSpec();
    idx.setUri(dir.resolve("images.gz").toUri().toString());
    idx.setFormat(DataFormat.IDX);
    PoolManifest unit = PoolManifest.list(idx, new TestFileBlobs());
    assertThat(unit.partitioned()).isFalse();
    assertThat(unit.files()).singleElement().satisfies(f -> assertThat(f.bytes()).isEqualTo(1));
    assertThatThrownBy(() -> unit.slice(0, 2)).hasMessageContaining("one unit");

    Files.createDirectories(dir.resolve("folder/a"));
    Files.writeString(dir.resolve("folder/a/x.png"), "12");
    Files.writeString(dir.resolve("folder/a/notes.txt"), "no");
    Files.writeString(dir.resolve("folder/y.JPG"), "123");
    DataSourceSpec folder = new DataSourceSpec();
    folder.setUri(TestFileBlobs.uri(dir.resolve("folder")));
    folder.setFormat(DataFormat.FOLDER);
    PoolManifest images = PoolManifest.list(folder, new TestFileBlobs());
    assertThat(images.partitioned()).isTrue();
    assertThat(images.files()).extracting(PoolManifest.PoolFile::bytes).containsExactly(2L, 3L);
  }
}
