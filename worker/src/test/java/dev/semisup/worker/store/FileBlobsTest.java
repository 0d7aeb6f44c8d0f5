package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobsTest {

  @TempDir
  Path temp;
  private final FileBlobs blobs = new FileBlobs();
  private String folder;

  @BeforeEach
  void writeData() throws IOException {
    Path data = temp.resolve("data");
    Files.createDirectories(data.resolve("shards/b"));
    Files.writeString(data.resolve("shards/b/shard-1.tar"), "b1");
    Files.writeString(data.resolve("shards/shard-10.tar"), "ten");
    Files.writeString(data.resolve("shards/shard-2.tar"), "two!");
    Files.writeString(data.resolve("shards/.partial-123-shard-3.tar"), "half");
    Files.createDirectories(data.resolve("shards/empty"));
    folder = data.toUri().toString();
  }

  @Test
  void listGivesEveryFileUnderTheFolderSortedAsFileUris() throws IOException {
    assertThat(blobs.list(folder + "shards/")).containsExactly(
        folder + "shards/b/shard-1.tar",
        folder + "shards/shard-10.tar",
        folder + "shards/shard-2.tar");
    assertThat(folder).startsWith("file:///");
  }

  @Test
  void openAndSizeReadTheFile() throws IOException {
    String uri = folder + "shards/shard-2.tar";
    try (InputStream in = blobs.open(uri)) {
      assertThat(in.readAllBytes()).asString().isEqualTo("two!");
    }
    assertThat(blobs.size(uri)).isEqualTo(4);
  }

  @Test
  void acceptsFileColonSlashAndUnescapedSpaces() throws IOException {
    Path spaced = temp.resolve("my data/train.idx");
    Files.createDirectories(spaced.getParent());
    Files.writeString(spaced, "idx");

    assertThat(blobs.size("file://" + spaced)).isEqualTo(3);
    assertThat(blobs.size("file:" + temp.resolve("data/shards/shard-10.tar"))).isEqualTo(3);
  }

  @Test
  void missingFileOrFolderIsNamed() {
    assertThatThrownBy(() -> blobs.open(folder + "nope.idx"))
        .isInstanceOf(FileNotFoundException.class).hasMessageContaining(folder + "nope.idx");
    assertThatThrownBy(() -> blobs.size(folder + "nope.idx"))
        .isInstanceOf(FileNotFoundException.class).hasMessageContaining(folder + "nope.idx");
    assertThatThrownBy(() -> blobs.list(folder + "nope/"))
        .isInstanceOf(FileNotFoundException.class).hasMessageContaining(folder + "nope/");
  }

  @Test
  void emptyFolderListsNothing() throws IOException {
    assertThat(blobs.list(folder + "shards/empty/")).isEmpty();
  }

  @Test
  void folderAndObjectUrisAreNotMixedUp() {
    assertThatThrownBy(() -> blobs.list(folder + "shards"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must end with '/'");
    assertThatThrownBy(() -> blobs.open(folder + "shards/"))
        .isInstanceOf(FileNotFoundException.class).hasMessageContaining("is a directory");
  }

  @Test
  void relativeLookingUrisAreRefused() {
    assertThatThrownBy(() -> blobs.open("file://data/train.idx"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("file://data/train.idx");
    assertThatThrownBy(() -> blobs.open("s3://bucket/train.idx"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s3://bucket/train.idx");
  }
}
