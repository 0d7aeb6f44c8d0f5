package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.OutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ObjectStore} must do, run against each implementation by a subclass that
 * supplies a fresh, empty store per test.
 */
abstract class ObjectStoreContract {

  /** An empty store, new for each test. */
  abstract ObjectStore store();

  @Test
  void putThenGetReturnsTheBytes() throws IOException {
    ObjectStore store = store();
    store.putString("runs/r1/spec.json", "{\"a\":1}");

    assertThat(store.getString("runs/r1/spec.json")).isEqualTo("{\"a\":1}");
    assertThat(store.exists("runs/r1/spec.json")).isTrue();
    assertThat(store.exists("runs/r1/other.json")).isFalse();
  }

  @Test
  void openRangeReadsOnlyTheRangeAndTheStoreCountsTheBytesItHandsOut() throws IOException {
    ObjectStore store = store();
    byte[] bytes = new byte[100_000];
    new Random(3).nextBytes(bytes);
    store.put("runs/r1/blob.bin", bytes);
    long before = store.bytesRead();

    try (var in = store.openRange("runs/r1/blob.bin", 70_000, 1_000)) {
      assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 70_000, 71_000));
    }
    assertThat(store.bytesRead() - before).isEqualTo(1_000);
    try (var in = store.openRange("runs/r1/blob.bin", 0, 20)) {
      assertThat(in.readAllBytes()).as("from the first byte").isEqualTo(java.util.Arrays.copyOf(bytes, 20));
    }
    try (var in = store.openRange("runs/r1/blob.bin", 99_990, 1_000)) {
      assertThat(in.readAllBytes()).as("past the end: what there is").hasSize(10);
    }
    assertThat(store.get("runs/r1/blob.bin")).isEqualTo(bytes);
    assertThat(store.bytesRead() - before).isEqualTo(1_000 + 20 + 10 + 100_000);
    assertThatThrownBy(() -> store.openRange("runs/r1/missing.bin", 0, 10))
        .isInstanceOf(FileNotFoundException.class).hasMessageContaining("runs/r1/missing.bin");
  }

  @Test
  void putReplacesAnObject() throws IOException {
    ObjectStore store = store();
    store.putString("report.json", "old");
    store.putString("report.json", "new");

    assertThat(store.getString("report.json")).isEqualTo("new");
    assertThat(store.list("")).containsExactly("report.json");
  }

  @Test
  void putIfAbsentWritesOnlyTheFirstAndLeavesNoTemporaryObject() throws IOException {
    ObjectStore store = store();

    assertThat(store.putIfAbsent("runs/r1/run.lock", "first".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(store.putIfAbsent("runs/r1/run.lock", "second".getBytes(StandardCharsets.UTF_8))).isFalse();

    assertThat(store.getString("runs/r1/run.lock")).isEqualTo("first");
    assertThat(store.list("")).containsExactly("runs/r1/run.lock");
  }

  @Test
  void emptyObjectIsAnObject() throws IOException {
    ObjectStore store = store();
    store.put("teacher/_SUCCESS", new byte[0]);

    assertThat(store.exists("teacher/_SUCCESS")).isTrue();
    assertThat(store.get("teacher/_SUCCESS")).isEmpty();
  }

  @Test
  void createStreamsAnObjectOfUnknownLengthThatAppearsOnClose() throws IOException {
    ObjectStore store = store();
    byte[] bytes = randomBytes(12 * 1024 * 1024 + 12_345);

    OutputStream out = store.create("teacher/model.params");
    // Odd-sized writes and single bytes, as a serializer would make them.
    int offset = 0;
    for (int n = 1; offset < bytes.length; n = n * 3 % 100_003 + 1) {
      int length = Math.min(n, bytes.length - offset);
      out.write(bytes, offset, length);
      offset += length;
      if (offset < bytes.length) {
        out.write(bytes[offset++]);
      }
    }
    assertThat(store.exists("teacher/model.params")).isFalse();
    out.close();

    assertThat(store.get("teacher/model.params")).isEqualTo(bytes);
    assertThat(store.list("teacher/")).containsExactly("teacher/model.params");
  }

  @Test
  void abandonedStreamLeavesNothing() throws IOException {
    ObjectStore store = store();
    OutputStream out = store.create("candidates/shard-00000-of-00002.bin");
    out.write(randomBytes(3 * 1024 * 1024));
    // never closed: the pod died, or the code forgot it

    assertThat(store.exists("candidates/shard-00000-of-00002.bin")).isFalse();
    assertThat(store.list("")).isEmpty();
  }

  @Test
  void discardedStreamLeavesNothingAndKeepsTheOldObject() throws IOException {
    ObjectStore store = store();
    store.putString("index/summary.json", "old");
    PendingObject out = (PendingObject) store.create("index/summary.json");
    out.write(randomBytes(2 * 1024 * 1024));
    out.discard();
    out.close();

    assertThat(store.getString("index/summary.json")).isEqualTo("old");
    assertThat(store.list("")).containsExactly("index/summary.json");
  }

  @Test
  void writerThatThrowsPublishesNothing() throws IOException {
    ObjectStore store = store();
    store.putString("student/model.params", "previous");

    assertThatThrownBy(() -> store.write("student/model.params", out -> {
      out.write(randomBytes(1024 * 1024));
      throw new IOException("serializer failed");
    })).isInstanceOf(IOException.class).hasMessage("serializer failed");
    assertThatThrownBy(() -> store.write("student/metrics.json", out -> {
      out.write(1);
      throw new IllegalStateException("bug");
    })).isInstanceOf(IllegalStateException.class);

    assertThat(store.getString("student/model.params")).isEqualTo("previous");
    assertThat(store.list("")).containsExactly("student/model.params");
  }

  @Test
  void writeThatReturnsPublishes() throws IOException {
    ObjectStore store = store();
    store.write("index/part-00000.bin", out -> out.write(new byte[] {1, 2, 3}));

    assertThat(store.get("index/part-00000.bin")).containsExactly(1, 2, 3);
  }

  @Test
  void listGivesSortedKeysUnderThePrefix() throws IOException {
    ObjectStore store = store();
    for (String key : new String[] {"b/2", "a/10", "a/9", "a/1", "ab", "a/c/deep"}) {
      store.putString(key, key);
    }

    assertThat(store.list("")).containsExactly("a/1", "a/10", "a/9", "a/c/deep", "ab", "b/2");
    assertThat(store.list("a/")).containsExactly("a/1", "a/10", "a/9", "a/c/deep");
    assertThat(store.list("a/1")).containsExactly("a/1", "a/10");
    assertThat(store.list("a")).containsExactly("a/1", "a/10", "a/9", "a/c/deep", "ab");
    assertThat(store.list("missing/")).isEmpty();
  }

  @Test
  void deleteRemovesAndMissingKeyIsFine() throws IOException {
    ObjectStore store = store();
    store.putString("teacher/checkpoints/epoch-0001.ckpt", "1");
    store.putString("teacher/checkpoints/epoch-0002.ckpt", "2");

    store.delete("teacher/checkpoints/epoch-0001.ckpt");
    store.delete("teacher/checkpoints/never-written.ckpt");

    assertThat(store.exists("teacher/checkpoints/epoch-0001.ckpt")).isFalse();
    assertThat(store.list("teacher/")).containsExactly("teacher/checkpoints/epoch-0002.ckpt");
  }

  @Test
  void missingKeyFailsWithFileNotFoundNamingTheKey() {
    ObjectStore store = store();

    assertThatThrownBy(() -> store.open("teacher/model.params"))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("teacher/model.params");
  }

  @Test
  void keysThatCouldEscapeOrHideAreRefused() {
    ObjectStore store = store();
    for (String key : new String[] {"", "/abs", "a/../../etc", "a//b", "dir/", "a/.partial-x"}) {
      assertThatThrownBy(() -> store.putString(key, "x"))
          .as("key '%s'", key)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void reachable() throws IOException {
    store().checkReachable();
  }

  static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
