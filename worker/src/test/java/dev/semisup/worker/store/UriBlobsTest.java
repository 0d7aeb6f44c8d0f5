package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UriBlobsTest {

  @TempDir
  Path temp;

  /** Stands in for S3: answers every call with the URI it was given. */
  private static final Blobs ECHO = new Blobs() {
    @Override
    public InputStream open(String uri) {
      return InputStream.nullInputStream();
    }

    @Override
    public List<String> list(String folderUri) {
      return List.of("echo " + folderUri);
    }

    @Override
    public long size(String uri) {
      return uri.length();
    }
  };

  @Test
  void eachSchemeGoesToItsBlobs() throws IOException {
    Path file = temp.resolve("train.idx");
    Files.writeString(file, "12345");
    UriBlobs blobs = new UriBlobs(new FileBlobs(), ECHO);

    assertThat(blobs.size(file.toUri().toString())).isEqualTo(5);
    assertThat(blobs.size("s3://b/k")).isEqualTo("s3://b/k".length());
    assertThat(blobs.list("s3://b/")).containsExactly("echo s3://b/");
  }

  @Test
  void unsupportedSchemeNamesTheUri() {
    UriBlobs blobs = new UriBlobs(new FileBlobs(), ECHO);

    assertThatThrownBy(() -> blobs.open("https://example.com/train.idx"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https://example.com/train.idx");
    assertThatThrownBy(() -> blobs.list("/data/train/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/data/train/");
  }

  @Test
  void filesOnlyRefusesS3WithTheReasonGiven() {
    UriBlobs blobs = UriBlobs.filesOnly(new FileBlobs(), "set spec.storage.endpoint");

    assertThatThrownBy(() -> blobs.open("s3://datasets/train.idx"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("s3://datasets/train.idx")
        .hasMessageContaining("set spec.storage.endpoint");
  }
}
