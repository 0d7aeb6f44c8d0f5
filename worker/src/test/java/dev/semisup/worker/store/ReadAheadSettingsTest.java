package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.UserFixableError;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadAheadSettingsTest {

  @Test
  void theEnvironmentSetsRangesInFlightAndTheirSizeInMib() {
    assertThat(ReadAheadSettings.fromEnvironment(Map.of(), 2))
        .isEqualTo(new ReadAheadSettings(ReadAheadSettings.FEWEST_RANGES_BY_DEFAULT, ReadAheadSettings.DEFAULT_RANGE_MIB << 20));
    assertThat(ReadAheadSettings.fromEnvironment(Map.of("SEMISUP_READ_AHEAD", " 8 ", "SEMISUP_READ_RANGE_MIB", "16")))
        .isEqualTo(new ReadAheadSettings(8, 16 << 20));
    assertThat(ReadAheadSettings.fromEnvironment(Map.of("SEMISUP_READ_AHEAD", "1")).readsAhead()).isFalse();
  }

  @Test
  void rangesDefaultToTheCpusWithinFourToSixteen() {
    assertThat(ReadAheadSettings.fromEnvironment(Map.of(), 2).ranges()).isEqualTo(4);
    assertThat(ReadAheadSettings.fromEnvironment(Map.of(), 12).ranges()).isEqualTo(12);
    assertThat(ReadAheadSettings.fromEnvironment(Map.of(), 64).ranges()).isEqualTo(16);
    assertThat(ReadAheadSettings.fromEnvironment(Map.of("SEMISUP_READ_AHEAD", "2"), 64).ranges()).isEqualTo(2);
  }

  @Test
  void aBadValueNamesItsVariableAsTheUsersToFix() {
    assertThatThrownBy(() -> ReadAheadSettings.fromEnvironment(Map.of("SEMISUP_READ_AHEAD", "0")))
        .isInstanceOf(UserFixableError.class)
        .hasMessage("SEMISUP_READ_AHEAD: must be a whole number in 1..64, was '0'");
    assertThatThrownBy(() -> ReadAheadSettings.fromEnvironment(Map.of("SEMISUP_READ_RANGE_MIB", "8MiB")))
        .isInstanceOf(UserFixableError.class)
        .hasMessage("SEMISUP_READ_RANGE_MIB: must be a whole number in 1..64, was '8MiB'");
    assertThatThrownBy(() -> ReadAheadSettings.fromEnvironment(Map.of("SEMISUP_READ_RANGE_MIB", "65")))
        .isInstanceOf(UserFixableError.class).hasMessageContaining("SEMISUP_READ_RANGE_MIB");
  }

  @Test
  void onlyRemoteFilesAreReadAhead() throws IOException {
    UriBlobs blobs = new UriBlobs(new FileBlobs(),
        new S3Blobs(S3Endpoint.connect("http://127.0.0.1:9", "us-east-1", "key", "secret")));
    List<Blobs.Sized> remote = List.of(new Blobs.Sized("s3://pool/a.tar", 10), new Blobs.Sized("s3://pool/b.tar", 10));
    List<Blobs.Sized> local = List.of(new Blobs.Sized("file:///pool/a.tar", 10));
    ReadAheadSettings four = new ReadAheadSettings(4, 1 << 20);

    try (FileSequence files = FileSequence.of(blobs, remote, four)) {
      assertThat(files).isInstanceOf(RangedReadAhead.class);
    }
    try (FileSequence files = FileSequence.of(blobs, local, four)) {
      assertThat(files).isInstanceOf(FileSequence.WholeFiles.class);
    }
    try (FileSequence files = FileSequence.of(blobs, remote, ReadAheadSettings.sequential())) {
      assertThat(files).isInstanceOf(FileSequence.WholeFiles.class);
    }
  }
}
